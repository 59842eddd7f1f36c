// The DicomWeb section of the configuration, read once (the option names of Orthanc's plugin).
import type { Configuration } from "../config/schema.ts";

export type DicomWebOptions = Configuration["DicomWeb"] & { Root: string; WadoRoot: string };

/** Roots normalized: the DICOMweb one starts and ends with "/", the WADO-URI one has no trailing "/". */
export function dicomWebOptions(config: Configuration): DicomWebOptions {
  const section = config.DicomWeb;
  const root = `/${section.Root.replace(/^\/+|\/+$/g, "")}/`.replace(/^\/\/$/, "/");
  const wado = `/${section.WadoRoot.replace(/^\/+|\/+$/g, "")}`;
  return { ...section, Root: root, WadoRoot: wado };
}
