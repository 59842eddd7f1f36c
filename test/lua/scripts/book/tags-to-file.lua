-- Writing to a file (Orthanc Book, "Writing the content of DICOM files"): one line per stored
-- instance, with some of its tags, its origin and its metadata. `output` is set before this
-- script runs (the path of the file).
function OnStoredInstance(instanceId, tags, metadata, origin)
  local line = table.concat({
    tags['PatientName'],
    tags['SeriesDescription'],
    tags['InstanceNumber'],
    origin['RequestOrigin'],
    origin['RemoteAet'] or '-',
    metadata['Origin'],
    metadata['RemoteAET'] or '-',
    metadata['TransferSyntax'],
  }, '|')
  local file = io.open(output, 'a')
  file:write(line .. '\n')
  file:close()
end
