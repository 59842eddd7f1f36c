// WADO-URI (PS3.18 9): GET {WadoRoot}?requestType=WADO&objectUID=…[&studyUID=…&seriesUID=…], the
// file itself (contentType=application/dicom) or its first frame rendered. As the plugin, only
// objectUID is required, and a studyUID or seriesUID given must be the instance's.
import type { RestDependencies } from "../rest/context.ts";
import { OrthancError } from "../server/errors.ts";
import { Tags } from "../dicom/tag.ts";
import { retrieveRendered, uidsOf } from "./wado.ts";

export async function wadoUri(deps: RestDependencies, params: URLSearchParams): Promise<Response> {
  const object = params.get("objectUID");
  if (params.get("requestType") !== "WADO" || !object) throw new OrthancError("UnknownResource");
  const resources = deps.core.resources;
  const instance = resources.lookupIdentifier(object).find((r) =>
    r.level === "Instance" && resources.mainTags(r.internalId).get(Tags.SopInstanceUid) === object
  );
  if (!instance) throw new OrthancError("UnknownResource");
  const uids = uidsOf(deps, instance);
  const study = params.get("studyUID");
  const series = params.get("seriesUID");
  if ((study && study !== uids.study) || (series && series !== uids.series)) {
    throw new OrthancError("UnknownResource");
  }
  const contentType = params.get("contentType") ?? "image/jpeg";
  switch (contentType) {
    case "application/dicom":
      return new Response(await deps.core.dicomBytes(instance), {
        headers: { "Content-Type": "application/dicom" },
      });
    // The plugin labels its JPEG "image/png" whatever was asked; Pharos answers what it labels.
    case "image/jpeg":
    case "image/png":
      return retrieveRendered(
        deps,
        instance,
        0,
        contentType,
        params.get("imageQuality") ?? undefined,
      );
    default:
      throw new OrthancError(
        "BadRequest",
        `WADO-URI: Unsupported content type: "${contentType}"`,
      );
  }
}
