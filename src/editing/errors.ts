// Why an edit is refused, named after Orthanc's error codes so that a front end answers them as
// Orthanc does (the editing engine knows nothing of HTTP or of the server's errors).
export type EditErrorKind =
  | "BadRequest"
  | "BadParameterType"
  | "ParameterOutOfRange"
  | "UnknownDicomTag"
  | "BadFileFormat";

export class EditError extends Error {
  constructor(readonly kind: EditErrorKind, readonly details?: string) {
    super(details ?? kind);
  }
}
