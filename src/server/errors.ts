// Orthanc's error codes (ErrorCode enumeration) with their HTTP status and message.

export const ErrorCodes = {
  InternalError: { code: -1, http: 500, message: "Internal error" },
  BadRequest: { code: 8, http: 400, message: "Bad request" },
  UnsupportedMediaType: { code: 3000, http: 415, message: "Unsupported media type" },
  ParameterOutOfRange: { code: 3, http: 400, message: "Parameter out of range" },
  BadFileFormat: { code: 15, http: 400, message: "Bad file format" },
  UnknownResource: { code: 17, http: 404, message: "Unknown resource" },
  InexistentItem: { code: 7, http: 404, message: "Accessing an inexistent item" },
  InexistentTag: { code: 21, http: 404, message: "Inexistent tag" },
  InexistentFile: { code: 13, http: 404, message: "Inexistent file" },
  CannotWriteFile: { code: 14, http: 500, message: "Cannot write to file" },
  Unauthorized: {
    code: 30,
    http: 401,
    message: "Bad credentials were provided to an HTTP request",
  },
  NotImplemented: { code: 2, http: 500, message: "Not implemented yet" },
  NotEnoughMemory: { code: 4, http: 500, message: "Not enough memory" },
  FullStorage: { code: 19, http: 507, message: "The file storage is full" },
  CorruptedFile: { code: 20, http: 500, message: "Corrupted file (e.g. inconsistent MD5 hash)" },
  BadJson: { code: 28, http: 400, message: "Cannot parse a JSON document" },
  NetworkProtocol: { code: 9, http: 500, message: "Error in the network protocol" },
  UnknownDicomTag: { code: 27, http: 500, message: "Unknown DICOM tag" },
  Revision: {
    code: 43,
    http: 409,
    message:
      "A bad revision number was provided, which might indicate conflict between multiple writers",
  },
  Database: { code: 11, http: 500, message: "Error with the database engine" },
  DatabaseUnavailable: {
    code: 36,
    http: 503,
    message: "The database is currently not available (probably a transient situation)",
  },
  ForbiddenAccess: { code: 29, http: 403, message: "Access to a resource is forbidden" },
  BadParameterType: { code: 5, http: 400, message: "Bad type for a parameter" },
  Plugin: { code: 1, http: 500, message: "Error encountered within the plugin engine" },
  Timeout: { code: 16, http: 500, message: "Timeout" },
  BadSequenceOfCalls: { code: 6, http: 500, message: "Bad sequence of calls" },
  CanceledJob: { code: 37, http: 500, message: "This job was canceled" },
  CannotExecuteLua: { code: 2031, http: 500, message: "Cannot execute a Lua command" },
  CreateDicomOverrideTag: {
    code: 2020,
    http: 400,
    message: "Trying to override a value inherited from a parent module",
  },
  CreateDicomUseContent: {
    code: 2021,
    http: 400,
    message: 'Use "Content" to inject an image into a new DICOM instance',
  },
  CreateDicomUseDataUriScheme: {
    code: 2023,
    http: 400,
    message: "The payload of the DICOM instance must be specified according to Data URI scheme",
  },
  CreateDicomBadParent: {
    code: 2024,
    http: 400,
    message: "Trying to attach a new DICOM instance to an inexistent resource",
  },
  CreateDicomParentIsInstance: {
    code: 2025,
    http: 400,
    message:
      "Trying to attach a new DICOM instance to an instance (must be a series, study or patient)",
  },
  CannotStoreInstance: { code: 2018, http: 500, message: "Cannot store an instance" },
  LuaBadOutput: {
    code: 2033,
    http: 500,
    message: "The Lua function does not give the expected number of outputs",
  },
  BadHttpStatusInRest: {
    code: 2005,
    http: 500,
    message: "This HTTP status is not allowed in a REST API",
  },
  RegularFileExpected: {
    code: 2006,
    http: 500,
    message: "The specified path does not point to a regular file",
  },
} as const;

export type ErrorName = keyof typeof ErrorCodes;

/** Some Orthanc answers are a bare status, without error JSON. */
export class BareStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** A missing item on the routes where Orthanc answers a bare 404. */
export class NotFoundWithoutBody extends BareStatusError {
  constructor() {
    super(404);
  }
}

/**
 * An error code a plugin registered (OrthancPluginRegisterErrorCode): its own code, HTTP status
 * and message, and the code Orthanc numbers it with (from 1000000, ErrorCode_START_PLUGINS).
 */
export interface PluginErrorCode {
  code: number;
  plugin: string;
  pluginCode: number;
  httpStatus: number;
  message: string;
}

/** An error that becomes Orthanc's error JSON at the HTTP edge. */
export class OrthancError extends Error {
  constructor(
    readonly kind: ErrorName,
    readonly details?: string,
    readonly httpStatus?: number,
    /** Set on a plugin's own error code, whose message and code replace the kind's. */
    readonly pluginCode?: PluginErrorCode,
  ) {
    super(details ?? pluginCode?.message ?? ErrorCodes[kind].message);
  }
}
