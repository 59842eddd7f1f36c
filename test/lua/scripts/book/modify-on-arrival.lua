-- Modifying instances on arrival (Orthanc Book, "Modifying received instances"): each received
-- instance is modified, the modified copy sent to "archive", then both copies deleted. The copy
-- that ModifyInstance stores arrives with the Lua origin, and is left alone.
function OnStoredInstance(instanceId, tags, metadata, origin)
  if origin['RequestOrigin'] ~= 'Lua' then
    local replace = { InstitutionName = 'Routing hospital', StationName = 'ROUTED' }
    local remove = { 'SeriesDescription' }
    Delete(SendToModality(ModifyInstance(instanceId, replace, remove, true), 'archive'))
    Delete(instanceId)
  end
end
