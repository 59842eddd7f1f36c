// PUT /modalities/{id}: the definitions Orthanc refuses (status and error body), and how it
// stores the ones it takes (obsolete manufacturers read as their current name).
import type { Scenario } from "../scenario.ts";

const BODIES = [
  "not json{",
  "42",
  "null",
  "[]",
  '["X", "h"]',
  '["X", 5, 104]',
  '["X", "h", 104, 5]',
  '["X", "h", 0]',
  '["X", "h", 104, "Bad"]',
  '{"AET": "X"}',
  '{"Host": "h", "Port": 104}',
  '{"AET": 5, "Host": "h", "Port": 104}',
  '{"AET": "X", "Host": "h"}',
  '{"AET": "X", "Host": "h", "Port": "12x"}',
  '{"AET": "X", "Host": "h", "Port": true}',
  '{"AET": "X", "Host": "h", "Port": 1.5}',
  '{"AET": "X", "Host": "h", "Port": 0}',
  '{"AET": "X", "Host": "h", "Port": 65535}',
  '{"AET": "X", "Host": "h", "Port": -1}',
  '{"AET": "X", "Host": "h", "Port": 104, "Manufacturer": "Foo"}',
  '{"AET": "X", "Host": "h", "Port": 104, "Manufacturer": 5}',
  '{"AET": "X", "Host": "h", "Port": 104, "AllowEcho": "yes"}',
  '{"AET": "X", "Host": "h", "Port": 104, "AllowStorageCommitment": 1}',
  '{"AET": "X", "Host": "h", "Port": 104, "UseDicomTls": 1}',
  '{"AET": "X", "Host": "h", "Port": 104, "LocalAet": 5}',
  '{"AET": "X", "Host": "h", "Port": 104, "Timeout": "5"}',
  '{"AET": "X", "Host": "h", "Port": 104, "Timeout": 2.5}',
  '{"AET": "X", "Host": "h", "Port": 104, "Timeout": -5}',
];

/** Accepted definitions, each read back from /modalities/{id}/configuration. */
const ACCEPTED = [
  '["X", "h", "104"]',
  '["X", "h", 104, "SyngoVia"]',
  '["X", "h", 104, "Vitrea"]',
  '{"AET": "X", "Host": "h", "Port": "104", "Manufacturer": "AgfaImpax"}',
  '{"AET": "X", "Host": "h", "Port": 104, "Manufacturer": "MedInria", "Timeout": 7}',
  '{"AET": "", "Host": "h", "Port": 104, "LocalAet": "", "Foo": 1}',
  '{"AET": "X", "Host": "h", "Port": 104, "AllowNAction": false, "AllowStorageCommitment": true}',
  '{"AET": "X", "Host": "h", "Port": 104, "AllowEventReport": false, "AllowTranscoding": false}',
];

const scenario: Scenario = {
  name: "net-modalities-put",
  async run(s) {
    for (const body of BODIES) {
      await s.request({ method: "PUT", path: "/modalities/bad", body, name: `PUT ${body}` });
    }
    await s.get("/modalities");
    for (const body of ACCEPTED) {
      await s.request({ method: "PUT", path: "/modalities/good", body, name: `PUT ${body}` });
      await s.get("/modalities/good/configuration");
    }
    await s.get("/modalities?expand");
  },
};

export default scenario;
