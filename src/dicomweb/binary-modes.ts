// How the binary values of the DICOMweb metadata are written (inline base64, a bulk data URI,
// or left out), as a plugin decides through Orthanc's DicomWebBinaryCallback: the first
// chooser with an opinion wins, else the bulk data URI.
import type { BinaryElement, BinaryMode } from "../dicom/dicom-json.ts";

export type BinaryModeChooser = (
  element: BinaryElement,
  bulkDataUri: string,
) => BinaryMode | undefined | Promise<BinaryMode | undefined>;

export class BinaryModes {
  private readonly choosers: BinaryModeChooser[] = [];

  add(chooser: BinaryModeChooser): void {
    this.choosers.push(chooser);
  }

  get empty(): boolean {
    return this.choosers.length === 0;
  }

  readonly choose = async (
    element: BinaryElement,
    uri: string,
  ): Promise<BinaryMode | undefined> => {
    for (const chooser of this.choosers) {
      const mode = await chooser(element, uri);
      if (mode) return mode;
    }
    return undefined;
  };
}
