// The part of dcmjs that Pharos uses: its data dictionary.
declare module "dcmjs" {
  export const data: {
    DicomMetaDictionary: unknown;
  };
}
