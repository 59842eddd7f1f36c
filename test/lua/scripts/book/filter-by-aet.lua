-- Filtering incoming instances (Orthanc Book, "Filtering incoming DICOM instances"): over DICOM,
-- only the calling AET TRUSTED may store; the REST API and the other origins are let in.
function ReceivedInstanceFilter(dicom, origin, info)
  if origin['RequestOrigin'] == 'DicomProtocol' then
    return origin['RemoteAet'] == 'TRUSTED'
  end
  return true
end
