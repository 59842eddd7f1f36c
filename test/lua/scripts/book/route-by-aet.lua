-- Auto-routing (Orthanc Book, "Auto-routing of DICOM images"): what the scanner SCANNER1 sends is
-- forwarded to the modality "archive", then removed from this server once sent; what other
-- callers send stays here.
function OnStoredInstance(instanceId, tags, metadata, origin)
  if origin['RequestOrigin'] == 'DicomProtocol' and origin['RemoteAet'] == 'SCANNER1' then
    Delete(SendToModality(instanceId, 'archive'))
  end
end
