// WADO-URI (PS3.18 9): GET {WadoRoot}?requestType=WADO&studyUID=…&seriesUID=…&objectUID=…, the
// file itself (contentType=application/dicom) or its first frame rendered in JPEG or PNG.
import type { RestDependencies } from "../rest/context.ts";
import { OrthancError } from "../server/errors.ts";
import { instancesOf, retrieveRendered } from "./wado.ts";

export async function wadoUri(deps: RestDependencies, params: URLSearchParams): Promise<Response> {
  if (params.get("requestType") !== "WADO") {
    throw new OrthancError("BadRequest", 'WADO-URI: "requestType" must be "WADO"');
  }
  const study = params.get("studyUID");
  const series = params.get("seriesUID");
  const object = params.get("objectUID");
  if (!study || !series || !object) {
    throw new OrthancError(
      "BadRequest",
      "WADO-URI: studyUID, seriesUID and objectUID are required",
    );
  }
  const [instance] = instancesOf(deps, { study, series, instance: object });
  const contentType = params.get("contentType") ?? "image/jpeg";
  switch (contentType) {
    case "application/dicom":
      return new Response(await deps.core.dicomBytes(instance!), {
        headers: { "Content-Type": "application/dicom" },
      });
    case "image/jpeg":
    case "image/png":
      return retrieveRendered(
        deps,
        instance!,
        0,
        contentType,
        params.get("imageQuality") ?? undefined,
      );
    default:
      throw new OrthancError("BadRequest", `WADO-URI: unsupported content type ${contentType}`);
  }
}
