// The DIMSE status codes Pharos answers with (PS3.7 Annex C), named once for every service.
export const Status = {
  Success: 0x0000,
  Pending: 0xff00,
  Cancel: 0xfe00,
  UnableToProcess: 0xc000,
  OutOfResources: 0xa700,
  MoveDestinationUnknown: 0xa801,
  SubOperationsWithFailures: 0xb000,
  OutOfResourcesSubOperations: 0xa702,
  /** A DIMSE-N request that cannot be processed. */
  ProcessingFailure: 0x0110,
} as const;
