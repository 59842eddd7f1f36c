// The domain model of the index, shared by the server's services, the front ends and the index
// back-ends: resources, attachments, changes, exports, and Orthanc's enumerations. Plain data,
// no behaviour; the back-ends (src/index) implement the interface over these types.
import type { Level } from "../dicom/levels.ts";
import type { Tag } from "../dicom/tag.ts";

export interface Resource {
  internalId: number;
  level: Level;
  publicId: string;
  parentId: number | null;
}

export interface AttachmentInfo {
  contentType: number;
  uuid: string;
  compressedSize: number;
  uncompressedSize: number;
  /** 0 = none, 1 = zlib with Orthanc's 8-byte size prefix. */
  compression: number;
  uncompressedMd5: string;
  compressedMd5: string;
  revision: number;
}

/** A file of the storage area, as the index names it. */
export interface StoredFile {
  uuid: string;
  contentType: number;
}

export interface Change {
  seq: number;
  changeType: number;
  level: Level;
  publicId: string;
  date: string;
}

export interface ExportedResource {
  seq: number;
  level: Level;
  publicId: string;
  remoteModality: string;
  patientId: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  date: string;
}

export interface MetadataEntry {
  value: string;
  revision: number;
}

export interface Totals {
  patients: number;
  studies: number;
  series: number;
  instances: number;
  compressedSize: number;
  uncompressedSize: number;
}

/** Sizes of the files below a resource, and its descendants per level. */
export interface SubtreeStatistics {
  counts: Map<Level, number>;
  /** Every attachment. */
  compressed: number;
  uncompressed: number;
  /** The DICOM files only (Orthanc's Dicom*Size). */
  dicomCompressed: number;
  dicomUncompressed: number;
}

/** What case-insensitive matching compares. */
export const normalizeValue = (value: string): string => value.toUpperCase();

/** Orthanc's global properties that Pharos keeps in the index. */
export const GlobalProperty = {
  /** The counter behind the "Anonymized<N>" patient names. */
  AnonymizationSequence: 3,
  /** The jobs registry (SaveJobs). */
  JobsRegistry: 5,
  /** The modalities defined through the REST API (DicomModalitiesInDatabase). */
  Modalities: 20,
  /** The Orthanc peers defined through the REST API (OrthancPeersInDatabase). */
  Peers: 21,
  /**
   * The DICOMweb servers defined through the REST API (DicomWeb.ServersInDatabase): in the range
   * Orthanc leaves to plugins (1024 and up), as the DICOMweb plugin keeps them.
   */
  DicomWebServers: 5467,
} as const;

/** Orthanc's metadata types (MetadataType enumeration). */
export const Metadata = {
  IndexInSeries: 1,
  ReceptionDate: 2,
  RemoteAet: 3,
  ExpectedNumberOfInstances: 4,
  ModifiedFrom: 5,
  AnonymizedFrom: 6,
  LastUpdate: 7,
  Origin: 8,
  TransferSyntax: 9,
  SopClassUid: 10,
  RemoteIp: 11,
  CalledAet: 12,
  HttpUsername: 13,
  PixelDataOffset: 14,
  MainDicomTagsSignature: 15,
  PixelDataVR: 17,
} as const;

/** Orthanc's names of the metadata types, as the REST API shows them. */
export const METADATA_NAMES: Record<number, string> = {
  1: "IndexInSeries",
  2: "ReceptionDate",
  3: "RemoteAET",
  4: "ExpectedNumberOfInstances",
  5: "ModifiedFrom",
  6: "AnonymizedFrom",
  7: "LastUpdate",
  8: "Origin",
  9: "TransferSyntax",
  10: "SopClassUid",
  11: "RemoteIP",
  12: "CalledAET",
  13: "HttpUsername",
  14: "PixelDataOffset",
  15: "MainDicomTagsSignature",
  17: "PixelDataVR",
};

/** Orthanc's content types of attachments. */
export const ContentType = { Dicom: 1, DicomAsJson: 2, DicomUntilPixelData: 3 } as const;

export const CONTENT_TYPE_NAMES: Record<number, string> = {
  1: "dicom",
  2: "dicom-as-json",
  3: "dicom-until-pixel-data",
};

/** Orthanc's names of the change types, as /changes shows them. */
export const CHANGE_TYPE_NAMES: Record<number, string> = {
  1: "CompletedSeries",
  2: "Deleted",
  3: "NewChildInstance",
  4: "NewInstance",
  5: "NewPatient",
  6: "NewSeries",
  7: "NewStudy",
  8: "AnonymizedStudy",
  9: "AnonymizedSeries",
  10: "ModifiedStudy",
  11: "ModifiedSeries",
  12: "AnonymizedPatient",
  13: "ModifiedPatient",
  14: "StablePatient",
  15: "StableStudy",
  16: "StableSeries",
  17: "UpdatedAttachment",
  18: "UpdatedMetadata",
};

/** Orthanc's change types. */
export const ChangeType = {
  CompletedSeries: 1,
  Deleted: 2,
  NewChildInstance: 3,
  NewInstance: 4,
  NewPatient: 5,
  NewSeries: 6,
  NewStudy: 7,
  AnonymizedStudy: 8,
  AnonymizedSeries: 9,
  ModifiedStudy: 10,
  ModifiedSeries: 11,
  AnonymizedPatient: 12,
  ModifiedPatient: 13,
  StablePatient: 14,
  StableStudy: 15,
  StableSeries: 16,
  UpdatedAttachment: 17,
  UpdatedMetadata: 18,
} as const;

/**
 * A failure of the index back-end itself (its database lost, or refusing a statement), which the
 * REST API answers with Orthanc's DatabaseUnavailable (503) or Database (500) error.
 */
export class IndexFailure extends Error {
  constructor(readonly kind: "DatabaseUnavailable" | "Database", message: string) {
    super(message);
  }
}

/** A child with what reading its file needs (ChildFilesQuery), read in one query for them all. */
export interface ChildFile {
  resource: Resource;
  /** The value of the main tag asked for. */
  tag?: string;
  file?: AttachmentInfo;
  /** The values of the metadata types asked for, in their order. */
  metadata: (string | undefined)[];
}

export interface ChildFilesQuery {
  tag: Tag;
  contentType: number;
  metadata: number[];
}
