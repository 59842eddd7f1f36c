// The change feed (/changes) and the exports log (/exports) that other systems poll.
import { type Context, Hono } from "hono";
import { LEVEL_PATH } from "../dicom/levels.ts";
import type { JsonObject } from "../dicom/tags-json.ts";
import type { Change, ExportedResource } from "../server/model.ts";
import { CHANGE_TYPE_NAMES } from "../server/model.ts";
import type { AppEnv, RestDependencies } from "./context.ts";
import { jsonResponse, textResponse } from "./json.ts";
import { route } from "./router.ts";

const DEFAULT_LIMIT = 100;
/** Orthanc caps one page of the feed. */
const MAXIMUM_LIMIT = 10000;

/** Orthanc reads these arguments leniently: what is not a number falls back to the default. */
function numberArgument(c: Context<AppEnv>, name: string, fallback: number): number {
  const text = c.req.query(name);
  const n = text === undefined ? NaN : Number(text);
  return Number.isInteger(n) && n >= 0 ? n : fallback;
}

function changeJson(row: Change): JsonObject {
  return {
    ChangeType: CHANGE_TYPE_NAMES[row.changeType] ?? String(row.changeType),
    Date: row.date,
    ID: row.publicId,
    Path: `/${LEVEL_PATH[row.level]}/${row.publicId}`,
    ResourceType: row.level,
    Seq: row.seq,
  };
}

function exportJson(row: ExportedResource): JsonObject {
  const out: JsonObject = {
    Date: row.date,
    ID: row.publicId,
    Path: `/${LEVEL_PATH[row.level]}/${row.publicId}`,
    PatientID: row.patientId,
    RemoteModality: row.remoteModality,
    ResourceType: row.level,
    Seq: row.seq,
  };
  if (row.level !== "Patient") out.StudyInstanceUID = row.studyInstanceUid;
  if (row.level === "Series" || row.level === "Instance") {
    out.SeriesInstanceUID = row.seriesInstanceUid;
  }
  if (row.level === "Instance") out.SOPInstanceUID = row.sopInstanceUid;
  return out;
}

/**
 * One page of a log, as Orthanc pages its tables: the rows after `since`; Done when nothing
 * follows them (with a limit of 0: when nothing follows `since`); Last the last row's seq, else
 * `emptyLast`.
 */
function page<Row extends { seq: number }>(
  c: Context<AppEnv>,
  read: (since: number, limit: number) => Row[],
  emptyLast: (since: number) => number,
): { rows: Row[]; done: boolean; last: number } {
  const since = numberArgument(c, "since", 0);
  const limit = Math.min(numberArgument(c, "limit", DEFAULT_LIMIT), MAXIMUM_LIMIT);
  // One more row than asked tells whether the page reaches the end.
  const rows = read(since, limit + 1);
  const done = rows.length <= limit;
  const kept = rows.slice(0, limit);
  return {
    rows: kept,
    done,
    last: kept.length > 0 ? kept[kept.length - 1]!.seq : emptyLast(since),
  };
}

export function changeRoutes(deps: RestDependencies): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const changes = deps.core.changes;
  route(app, "/changes", {
    GET: (c) => {
      if (c.req.query("last") !== undefined) {
        const last = changes.lastChange();
        return jsonResponse({
          Changes: last ? [changeJson(last)] : [],
          Done: true,
          Last: last?.seq ?? changes.lastSequence("changes"),
        });
      }
      // An empty page of changes shows the last sequence number given, which survives a clear.
      const { rows, done, last } = page(
        c,
        (s, l) => changes.changes(s, l),
        () => changes.lastSequence("changes"),
      );
      return jsonResponse({ Changes: rows.map(changeJson), Done: done, Last: last });
    },
    DELETE: () => {
      changes.clearChanges();
      return textResponse("");
    },
  });
  route(app, "/exports", {
    GET: (c) => {
      // An empty page of exports shows `since`, so 0 once the log is cleared.
      const { rows, done, last } = page(c, (s, l) => changes.exports(s, l), (since) => since);
      return jsonResponse({ Done: done, Exports: rows.map(exportJson), Last: last });
    },
    DELETE: () => {
      changes.clearExports();
      return textResponse("");
    },
  });
  return app;
}
