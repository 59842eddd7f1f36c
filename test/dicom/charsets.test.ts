// Every charset sample renders the text real Orthanc 1.10.1 shows for it (values recorded
// from Orthanc's /simplified-tags), and yields Orthanc's identifier.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { parseDicom } from "../../src/dicom/parser.ts";
import { summarize } from "../../src/dicom/summary.ts";
import { datasetToJson } from "../../src/dicom/tags-json.ts";
import { decodingOf } from "../../src/dicom/summary.ts";
import { samplesDir } from "../support/server.ts";

const EXPECTED: [string, string, string][] = [
  ["Encodings/ISO_IR13.dcm", "f576a778-82f81cb8-a991325a-bb95ab66-5d5e8891", "Anonymized49"],
  ["Encodings/Lena-arabic.dcm", "2322455d-464a999f-811c300a-9d6a073f-905715f2", "Test-ص"],
  ["Encodings/Lena-ascii.dcm", "9658828d-65798313-2f0f2fa6-a4ed5482-78ba04ce", "Test-"],
  ["Encodings/Lena-cyrillic.dcm", "6fc68dab-880d90ee-6b08bd3d-0d9c9816-69134090", "Test-Дћ"],
  ["Encodings/Lena-greek.dcm", "1e8bc448-aa97109b-9893ae72-259258f3-b987e735", "Test-Θ"],
  ["Encodings/Lena-hebrew.dcm", "d0f4b992-b52bc0f1-807ec3b5-5416d9c9-afc464de", "Test-ד"],
  ["Encodings/Lena-latin1.dcm", "a07b33bf-c41e029a-04713d29-282089b4-3dce78ce", "Test-éüäöò"],
  ["Encodings/Lena-latin2.dcm", "958f3225-489ac8a8-1ce9a58b-1b3510bd-0f6d45eb", "Test-éüäö"],
  ["Encodings/Lena-latin3.dcm", "1c96af74-27385125-a20e6331-e288ef3c-808d4a09", "Test-éüäöòĝİ"],
  ["Encodings/Lena-latin4.dcm", "49e461a9-1e0ed28c-602a1222-0c2526f3-0c2d842c", "Test-éüäöķ"],
  ["Encodings/Lena-latin5.dcm", "efb6cdf1-a2593a92-e2489c1f-986f2262-eb789114", "Test-éüäöòİ"],
  ["Encodings/Lena-shift-jis.dcm", "29cd71b1-b40f8c7b-c84e8590-308d0fbc-8f87f692", "Test-ДΘﾈ"],
  ["Encodings/Lena-tis-620.dcm", "ed41eacc-33ef7582-4db7ab42-f4ff3756-8cf5b479", "Test-๛"],
  [
    "Encodings/Lena-utf8.dcm",
    "d061fa40-3faed262-7f153272-ba21a27a-73db1646",
    "Test-éüäöòДΘĝדصķћ๛ﾈİ",
  ],
  ["Encodings/DavidClunie/SCSARAB", "265eeff2-fe4c573a-bd9df2e3-c082210e-3c605427", "قباني^لنزار"],
  ["Encodings/DavidClunie/SCSFREN", "ab5f078b-d685e005-601c0dd4-7393b415-1ea0f441", "Buc^Jérôme"],
  [
    "Encodings/DavidClunie/SCSGERM",
    "50e0c3b5-52435a1d-61b0f539-85a29787-a263e19f",
    "Äneas^Rüdiger",
  ],
  ["Encodings/DavidClunie/SCSGREEK", "e6dbed05-bf3d3a50-7c0b73f8-3a22cd09-536dc6a7", "Διονυσιος"],
  [
    "Encodings/DavidClunie/SCSH31",
    "520e1889-abffd943-39e27a9f-a1c6b7b4-d33bb46b",
    "Yamada^Tarou=山田^太郎=やまだ^たろう",
  ],
  // Orthanc 1.10.1 does not decode JIS X 0208 after ISO 2022 IR 13; Pharos matches it.
  [
    "Encodings/DavidClunie/SCSH32",
    "905d7e3a-6a8c5fa0-98a06633-b530d30d-f815b8dc",
    "ﾔﾏﾀﾞ^ﾀﾛｳ=;3ED^B@O:=$d$^$@^$?$m$&",
  ],
  ["Encodings/DavidClunie/SCSHBRW", "faf18c0c-74830c38-156ebaeb-cb340161-56c7f73b", "שרון^דבורה"],
  [
    "Encodings/DavidClunie/SCSI2",
    "0232c0d4-c6ee0b45-77231fae-976ae69b-fb4e57e0",
    "Hong^Gildong=洪^吉洞=홍^길동",
  ],
  ["Encodings/DavidClunie/SCSRUSS", "1decf2ed-4974519e-a79b998d-10490c59-3570e63b", "Люкceмбypг"],
  [
    "Encodings/DavidClunie/SCSX1",
    "931f903b-ad7b8eb3-df5dd828-48c4b45d-ee2c4043",
    "Wang^XiaoDong=王^小東=",
  ],
  [
    "Encodings/DavidClunie/SCSX2",
    "6acfda8c-1c31805a-22d12326-db9ea31e-00a10698",
    "Wang^XiaoDong=王^小东=",
  ],
];

describe("SpecificCharacterSet", () => {
  for (const [file, id, patientName] of EXPECTED) {
    test(file, async () => {
      const parsed = parseDicom(
        new Uint8Array(await Bun.file(join(samplesDir, file)).arrayBuffer()),
      );
      const simplified = datasetToJson(parsed.dataset, decodingOf(parsed, "Latin1"), "simplify");
      expect(simplified.PatientName).toBe(patientName);
      expect(summarize(parsed, "Latin1").ids.instance).toBe(id);
    });
  }
});
