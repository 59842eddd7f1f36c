// /numpy as Orthanc 1.10.1 writes it: a frame is (height,width,channels), a whole instance stacks
// its frames (frames, height,width,channels), with the samples' own type or float32 modality
// values; Orthanc's Boolean arguments; ?compress as a .npz whose member is "arr_0"; the errors
// of instances that do not decode.
import type { Scenario } from "../scenario.ts";
import { asIs, zipMembers } from "../../support/canonical.ts";

const FILES = [
  "MultiframeWindowing.dcm",
  "ColorTestMalaterre.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.5.dcm",
  "Encodings/DavidClunie/SCSGREEK",
  "MarekLatin2.dcm",
  "TransferSyntaxes/1.2.840.10008.1.2.4.80.dcm",
  "DummyCT.dcm",
];

const ROUTES = [
  "numpy",
  "numpy?rescale=false",
  "numpy?rescale=0",
  "numpy?rescale",
  "numpy?rescale=TRUE",
  "numpy?compress=yes",
  "frames/0/numpy",
  "frames/0/numpy?rescale=false",
  "frames/+0/numpy",
  "frames/3/numpy",
  "frames/4/numpy",
  "frames/x/numpy",
];

const scenario: Scenario = {
  name: "images-numpy",
  async run(s) {
    for (const file of FILES) {
      const { ID } = await s.upload(file);
      for (const route of ROUTES) {
        await s.get(`/instances/${ID}/${route}`, { name: `${file} ${route}`, canonical: asIs });
      }
      for (const route of ["numpy?compress", "numpy?compress=1&rescale=false"]) {
        await s.get(`/instances/${ID}/${route}`, {
          name: `${file} ${route}`,
          canonical: zipMembers,
        });
      }
    }
  },
};

export default scenario;
