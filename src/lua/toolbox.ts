// The functions Orthanc defines in Lua itself before the scripts load, written for Pharos:
// PrintRecursive, io.open (fengari has no files), and the job commands a callback queues (SendToModality, SendToPeer,
// ModifyInstance, Delete, CallSystem). A command returns what the next one may take as input:
// the resource itself, or `@N`, the output of the Nth command, for a modified instance whose id
// is known only once the command has run. The worker collects `_PharosCommands` after each call.
export const TOOLBOX = `
_PharosCommands = {}

function PrintRecursive(value, indent)
  indent = indent or ''
  if type(value) ~= 'table' then
    print(indent .. tostring(value))
    return
  end
  for key, item in pairs(value) do
    if type(item) == 'table' then
      print(indent .. '[' .. tostring(key) .. '], table')
      PrintRecursive(item, indent .. '  ')
    else
      print(indent .. '[' .. tostring(key) .. '], ' .. type(item) .. ', ' .. tostring(item))
    end
  end
end

do
  local File = {}
  File.__index = File
  function File:write(...)
    for _, value in ipairs({ ... }) do _PharosFileWrite(self.fd, tostring(value)) end
    return self
  end
  function File:read(format)
    return _PharosFileRead(self.fd, format or 'l')
  end
  function File:lines()
    return function() return _PharosFileRead(self.fd, 'l') end
  end
  function File:close()
    _PharosFileClose(self.fd)
    return true
  end
  io.open = function(path, mode)
    local fd, message = _PharosFileOpen(path, mode)
    if fd == nil then return nil, message end
    return setmetatable({ fd = fd }, File)
  end
end

local function queue(operation, input, parameters)
  if type(input) ~= 'string' then
    error(operation .. '(): the first argument must be the identifier of a resource', 3)
  end
  table.insert(_PharosCommands, { operation, input, parameters })
  return '@' .. #_PharosCommands
end

function SendToModality(resourceId, modality, localAet, timeout)
  queue('SendToModality', resourceId, { Modality = modality, LocalAet = localAet, Timeout = timeout })
  return resourceId
end

function SendToPeer(resourceId, peer)
  queue('SendToPeer', resourceId, { Peer = peer })
  return resourceId
end

function ModifyInstance(resourceId, replacements, removals, removePrivateTags)
  return queue('ModifyInstance', resourceId, {
    Replace = replacements or {}, Remove = removals or {},
    RemovePrivateTags = removePrivateTags == true })
end

function Delete(resourceId)
  queue('Delete', resourceId, {})
end

function CallSystem(resourceId, command, args)
  queue('CallSystem', resourceId, { Command = command, Arguments = args or {} })
  return resourceId
end
`;
