// Orthanc's resource identifiers: SHA-1 of the UID chain, written as five dash-separated groups.
import type { Level } from "./levels.ts";

export interface InstanceUids {
  patientId: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
}

function hashId(text: string): string {
  const hex = new Bun.CryptoHasher("sha1").update(text).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 16)}-${hex.slice(16, 24)}-${hex.slice(24, 32)}-${
    hex.slice(32, 40)
  }`;
}

export interface OrthancIds {
  patient: string;
  study: string;
  series: string;
  instance: string;
}

export function orthancIds(uids: InstanceUids): OrthancIds {
  const p = uids.patientId;
  const st = `${p}|${uids.studyInstanceUid}`;
  const se = `${st}|${uids.seriesInstanceUid}`;
  return {
    patient: hashId(p),
    study: hashId(st),
    series: hashId(se),
    instance: hashId(`${se}|${uids.sopInstanceUid}`),
  };
}

export function idOfLevel(ids: OrthancIds, level: Level): string {
  switch (level) {
    case "Patient":
      return ids.patient;
    case "Study":
      return ids.study;
    case "Series":
      return ids.series;
    case "Instance":
      return ids.instance;
  }
}
