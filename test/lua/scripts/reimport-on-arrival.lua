-- On arrival through the REST API, an instance is read back, deleted by the Lua job command
-- Delete and imported again by Lua (so that its origin becomes Lua); the instances of one patient
-- are refused; a line per stored instance goes to a file (the Orthanc Book's samples: filtering,
-- writing to a file, Lua's REST calls and job commands).
function Initialize()
  initialized = true
end

function ReceivedInstanceFilter(dicom, origin)
  return dicom.PatientID ~= 'ozp00SjY2xG'
end

function OnStoredInstance(instanceId, tags, metadata, origin)
  local file = io.open(os.getenv('LUA_TEST_OUTPUT'), 'a')
  file:write(tags.PatientName .. ' ' .. origin.RequestOrigin .. ' ' .. metadata.Origin .. '\n')
  file:close()
  if origin['RequestOrigin'] ~= 'Lua' then
    local dicom = RestApiGet('/instances/' .. instanceId .. '/file')
    RestApiDelete('/instances/' .. instanceId)
    RestApiPost('/instances', dicom)
  else
    Delete(instanceId)
  end
end
