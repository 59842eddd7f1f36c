// The UIDs of the standard that Pharos names in code (PS3.6 Annex A): transfer syntaxes, SOP
// classes and well-known instances, so that a UID is spelt once and read by its name.

/** Pharos's implementation class UID: UUID-derived (PS3.5 B.2), as Pharos owns no root. */
export const PHAROS_IMPLEMENTATION_UID = "2.25.188956742270301179477131008468806802306";
/** The implementation version name that goes with it, in the meta headers Pharos writes. */
export const PHAROS_IMPLEMENTATION_VERSION = "PHAROS_010";

export const TransferSyntax = {
  ImplicitVrLittleEndian: "1.2.840.10008.1.2",
  ExplicitVrLittleEndian: "1.2.840.10008.1.2.1",
  DeflatedExplicitVrLittleEndian: "1.2.840.10008.1.2.1.99",
  ExplicitVrBigEndian: "1.2.840.10008.1.2.2",
  JpegBaseline: "1.2.840.10008.1.2.4.50",
  JpegExtended: "1.2.840.10008.1.2.4.51",
  // Retired JPEG processes, which Orthanc still knows and accepts.
  JpegExtended35: "1.2.840.10008.1.2.4.52",
  JpegSpectralSelectionNonHierarchical68: "1.2.840.10008.1.2.4.53",
  JpegSpectralSelectionNonHierarchical79: "1.2.840.10008.1.2.4.54",
  JpegFullProgressionNonHierarchical1012: "1.2.840.10008.1.2.4.55",
  JpegFullProgressionNonHierarchical1113: "1.2.840.10008.1.2.4.56",
  JpegLosslessNonHierarchical: "1.2.840.10008.1.2.4.57",
  JpegLosslessNonHierarchical15: "1.2.840.10008.1.2.4.58",
  JpegExtendedHierarchical1618: "1.2.840.10008.1.2.4.59",
  JpegExtendedHierarchical1719: "1.2.840.10008.1.2.4.60",
  JpegSpectralSelectionHierarchical2022: "1.2.840.10008.1.2.4.61",
  JpegSpectralSelectionHierarchical2123: "1.2.840.10008.1.2.4.62",
  JpegFullProgressionHierarchical2426: "1.2.840.10008.1.2.4.63",
  JpegFullProgressionHierarchical2527: "1.2.840.10008.1.2.4.64",
  JpegLosslessHierarchical28: "1.2.840.10008.1.2.4.65",
  JpegLosslessHierarchical29: "1.2.840.10008.1.2.4.66",
  JpegLosslessFirstOrder: "1.2.840.10008.1.2.4.70",
  JpegLsLossless: "1.2.840.10008.1.2.4.80",
  JpegLsNearLossless: "1.2.840.10008.1.2.4.81",
  Jpeg2000Lossless: "1.2.840.10008.1.2.4.90",
  Jpeg2000: "1.2.840.10008.1.2.4.91",
  Jpeg2000Part2Lossless: "1.2.840.10008.1.2.4.92",
  Jpeg2000Part2: "1.2.840.10008.1.2.4.93",
  Jpip: "1.2.840.10008.1.2.4.94",
  JpipDeflate: "1.2.840.10008.1.2.4.95",
  Mpeg2MainProfile: "1.2.840.10008.1.2.4.100",
  Mpeg2HighProfile: "1.2.840.10008.1.2.4.101",
  Mpeg4HighProfile: "1.2.840.10008.1.2.4.102",
  Mpeg4BdCompatibleHighProfile: "1.2.840.10008.1.2.4.103",
  Mpeg4HighProfile2dVideo: "1.2.840.10008.1.2.4.104",
  Mpeg4HighProfile3dVideo: "1.2.840.10008.1.2.4.105",
  Mpeg4StereoHighProfile: "1.2.840.10008.1.2.4.106",
  HevcMainProfile: "1.2.840.10008.1.2.4.107",
  HevcMain10Profile: "1.2.840.10008.1.2.4.108",
  RleLossless: "1.2.840.10008.1.2.5",
  Rfc2557MimeEncapsulation: "1.2.840.10008.1.2.6.1",
  XmlEncoding: "1.2.840.10008.1.2.6.2",
} as const;

/** UIDs in the order of their numeric components (Orthanc lists transfer syntaxes so). */
export function compareUids(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] !== y[i]) return x[i]! - y[i]!;
  }
  return x.length - y.length;
}

/** The transfer syntaxes whose pixel data is native (not encapsulated). */
export const UNCOMPRESSED_TRANSFER_SYNTAXES: ReadonlySet<string> = new Set([
  TransferSyntax.ImplicitVrLittleEndian,
  TransferSyntax.ExplicitVrLittleEndian,
  TransferSyntax.DeflatedExplicitVrLittleEndian,
  TransferSyntax.ExplicitVrBigEndian,
]);

export const SopClass = {
  Verification: "1.2.840.10008.1.1",
  StorageCommitmentPushModel: "1.2.840.10008.1.20.1",
  MediaStorageDirectory: "1.2.840.10008.1.3.10",
  PatientRootQueryRetrieveFind: "1.2.840.10008.5.1.4.1.2.1.1",
  PatientRootQueryRetrieveMove: "1.2.840.10008.5.1.4.1.2.1.2",
  PatientRootQueryRetrieveGet: "1.2.840.10008.5.1.4.1.2.1.3",
  StudyRootQueryRetrieveFind: "1.2.840.10008.5.1.4.1.2.2.1",
  StudyRootQueryRetrieveMove: "1.2.840.10008.5.1.4.1.2.2.2",
  StudyRootQueryRetrieveGet: "1.2.840.10008.5.1.4.1.2.2.3",
  ModalityWorklistFind: "1.2.840.10008.5.1.4.31",
} as const;

/** The well-known SOP instance of Storage Commitment Push Model. */
export const STORAGE_COMMITMENT_PUSH_MODEL_INSTANCE = "1.2.840.10008.1.20.1.1";

/** Every storage SOP class lives under this arc, but for those of `OtherStorageSopClass`. */
export const STORAGE_SOP_CLASS_ARC = "1.2.840.10008.5.1.4.1.1.";

/** The common storage SOP classes, in the order a C-GET SCU proposes them. */
export const StorageSopClass = {
  ComputedRadiography: "1.2.840.10008.5.1.4.1.1.1",
  DigitalXRayForPresentation: "1.2.840.10008.5.1.4.1.1.1.1",
  DigitalXRayForProcessing: "1.2.840.10008.5.1.4.1.1.1.1.1",
  DigitalMammographyForPresentation: "1.2.840.10008.5.1.4.1.1.1.2",
  DigitalMammographyForProcessing: "1.2.840.10008.5.1.4.1.1.1.2.1",
  DigitalIntraOralXRayForPresentation: "1.2.840.10008.5.1.4.1.1.1.3",
  CtImage: "1.2.840.10008.5.1.4.1.1.2",
  EnhancedCtImage: "1.2.840.10008.5.1.4.1.1.2.1",
  UltrasoundMultiFrameImage: "1.2.840.10008.5.1.4.1.1.3.1",
  MrImage: "1.2.840.10008.5.1.4.1.1.4",
  EnhancedMrImage: "1.2.840.10008.5.1.4.1.1.4.1",
  MrSpectroscopy: "1.2.840.10008.5.1.4.1.1.4.2",
  UltrasoundImage: "1.2.840.10008.5.1.4.1.1.6.1",
  SecondaryCaptureImage: "1.2.840.10008.5.1.4.1.1.7",
  MultiFrameSingleBitSecondaryCaptureImage: "1.2.840.10008.5.1.4.1.1.7.1",
  MultiFrameGrayscaleByteSecondaryCaptureImage: "1.2.840.10008.5.1.4.1.1.7.2",
  MultiFrameGrayscaleWordSecondaryCaptureImage: "1.2.840.10008.5.1.4.1.1.7.3",
  MultiFrameTrueColorSecondaryCaptureImage: "1.2.840.10008.5.1.4.1.1.7.4",
  GrayscaleSoftcopyPresentationState: "1.2.840.10008.5.1.4.1.1.11.1",
  XRayAngiographicImage: "1.2.840.10008.5.1.4.1.1.12.1",
  XRayRadiofluoroscopicImage: "1.2.840.10008.5.1.4.1.1.12.2",
  BreastTomosynthesisImage: "1.2.840.10008.5.1.4.1.1.13.1.3",
  NuclearMedicineImage: "1.2.840.10008.5.1.4.1.1.20",
  RawData: "1.2.840.10008.5.1.4.1.1.66",
  Segmentation: "1.2.840.10008.5.1.4.1.1.66.4",
  VlPhotographicImage: "1.2.840.10008.5.1.4.1.1.77.1.4",
  BasicTextSr: "1.2.840.10008.5.1.4.1.1.88.11",
  EnhancedSr: "1.2.840.10008.5.1.4.1.1.88.22",
  ComprehensiveSr: "1.2.840.10008.5.1.4.1.1.88.33",
  KeyObjectSelectionDocument: "1.2.840.10008.5.1.4.1.1.88.59",
  EncapsulatedPdf: "1.2.840.10008.5.1.4.1.1.104.1",
  PositronEmissionTomographyImage: "1.2.840.10008.5.1.4.1.1.128",
  EnhancedPetImage: "1.2.840.10008.5.1.4.1.1.130",
  RtImage: "1.2.840.10008.5.1.4.1.1.481.1",
  RtDose: "1.2.840.10008.5.1.4.1.1.481.2",
  RtStructureSet: "1.2.840.10008.5.1.4.1.1.481.3",
  RtPlan: "1.2.840.10008.5.1.4.1.1.481.5",
} as const;

/** Storage SOP classes outside `STORAGE_SOP_CLASS_ARC`. */
export const OtherStorageSopClass = {
  RtBeamsDeliveryInstruction: "1.2.840.10008.5.1.4.34.7",
  RtBrachyApplicationSetupDeliveryInstruction: "1.2.840.10008.5.1.4.34.10",
  HangingProtocol: "1.2.840.10008.5.1.4.38.1",
  ColorPalette: "1.2.840.10008.5.1.4.39.1",
  GenericImplantTemplate: "1.2.840.10008.5.1.4.43.1",
  ImplantAssemblyTemplate: "1.2.840.10008.5.1.4.44.1",
  ImplantTemplateGroup: "1.2.840.10008.5.1.4.45.1",
} as const;
