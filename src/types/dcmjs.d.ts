// The part of dcmjs that Pharos uses: its data dictionary.
declare module "dcmjs" {
  const dcmjs: {
    data: {
      DicomMetaDictionary: unknown;
    };
  };
  export default dcmjs;
}
