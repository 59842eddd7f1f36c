// Why a creation is refused, named after Orthanc's error codes so that a front end answers them
// as Orthanc does (the creating code knows nothing of HTTP or of the server's errors).
export type CreateErrorKind =
  | "BadRequest"
  | "BadParameterType"
  | "ParameterOutOfRange"
  | "BadFileFormat"
  | "NotImplemented"
  | "UnknownDicomTag"
  | "CreateDicomOverrideTag"
  | "CreateDicomUseContent"
  | "CreateDicomUseDataUriScheme"
  // What Orthanc answers when the first instance of a series cannot be created.
  | "UnknownResource";

export class CreateError extends Error {
  constructor(readonly kind: CreateErrorKind, readonly details?: string) {
    super(details ?? kind);
  }
}
