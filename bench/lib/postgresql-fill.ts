// bench/find.ts's synthetic index, written into PostgreSQL by set-based SQL (generate_series)
// rather than through the index interface, whose round trips make 1,000,000 instances take an
// hour here. The same patients, studies, series and instances, with the same main tags; public
// ids are md5 strings (the queries select by tags, never by id). Triggers are off during the fill
// (session_replication_role, the test cluster's role is a superuser) and the totals are computed
// once at the end.
import { SQL } from "bun";

const FAMILY =
  "ARRAY['SMITH','JONES','MARTIN','BERNARD','DUBOIS','MULLER','ROSSI','GARCIA','NGUYEN','SATO']";
const GIVEN = "ARRAY['ANNA','JOHN','MARIE','PAUL','LEA','OMAR','IVAN','YUKI','ELSA','HUGO']";
const MODALITIES = "ARRAY['CT','MR','US','CR','PT','NM','XA','DX']";

/** Ids: 24 per study (patient, study, 2 series, 20 instances). */
const STEP = 24;

export async function fillPostgreSQL(url: string, studies: number): Promise<void> {
  const sql = new SQL({ url, max: 1 });
  const uid = (kind: number, i: string) => `'2.25.${kind}' || lpad((${i})::TEXT, 9, '0')`;
  const tags = (rows: string) =>
    `INSERT INTO main_tags (resource_id, tag, value, norm) SELECT id, tag, v, upper(v) FROM (${rows}) t`;
  const patientTags = (id: string) => `
    SELECT ${id} AS id, unnest(ARRAY[${0x00100010}, ${0x00100020}, ${0x00100030}, ${0x00100040}]::BIGINT[]) AS tag,
      unnest(ARRAY[(${FAMILY})[s % 10 + 1] || ((s / 100) % 1000)::TEXT || '^' || (${GIVEN})[(s / 10) % 10 + 1],
        'PID' || lpad(s::TEXT, 8, '0'), '19700101', CASE WHEN s % 2 = 1 THEN 'F' ELSE 'M' END]) AS v
    FROM generate_series(0, ${studies - 1}) s`;
  try {
    await sql.unsafe("SET session_replication_role = replica");
    await sql.unsafe(`INSERT INTO resources (internal_id, level, public_id, parent_id)
      SELECT s * ${STEP} + 1, 0, md5('p' || s), NULL FROM generate_series(0, ${studies - 1}) s
      UNION ALL SELECT s * ${STEP} + 2, 1, md5('st' || s), s * ${STEP} + 1
        FROM generate_series(0, ${studies - 1}) s
      UNION ALL SELECT s * ${STEP} + 3 + se, 2, md5('se' || (s * 2 + se)), s * ${STEP} + 2
        FROM generate_series(0, ${studies - 1}) s, generate_series(0, 1) se
      UNION ALL SELECT s * ${STEP} + 5 + se * 10 + i, 3, md5('i' || (s * 20 + se * 10 + i)),
          s * ${STEP} + 3 + se
        FROM generate_series(0, ${
      studies - 1
    }) s, generate_series(0, 1) se, generate_series(0, 9) i`);
    await sql.unsafe(tags(patientTags(`s * ${STEP} + 1`)));
    await sql.unsafe(tags(patientTags(`s * ${STEP} + 2`)));
    await sql.unsafe(tags(`
      SELECT s * ${STEP} + 2 AS id,
        unnest(ARRAY[${0x00080020}, ${0x00080030}, ${0x00080050}, ${0x0020000d}, ${0x00081030}]::BIGINT[]) AS tag,
        unnest(ARRAY[to_char(DATE '2005-01-01' + ((s::BIGINT * 7) % 7300)::INT, 'YYYYMMDD'), '120000',
          'ACC' || lpad(((s::BIGINT * 7919) % 100000000)::TEXT, 8, '0'), ${uid(1, "s")},
          'STUDY ' || (s % 50)::TEXT]) AS v
      FROM generate_series(0, ${studies - 1}) s`));
    await sql.unsafe(tags(`
      SELECT s * ${STEP} + 3 + se AS id, unnest(ARRAY[${0x00080060}, ${0x0020000e}, ${0x00200011}]::BIGINT[]) AS tag,
        unnest(ARRAY[(${MODALITIES})[(s + se) % 8 + 1], ${
      uid(2, "s * 2 + se")
    }, (se + 1)::TEXT]) AS v
      FROM generate_series(0, ${studies - 1}) s, generate_series(0, 1) se`));
    await sql.unsafe(tags(`
      SELECT s * ${STEP} + 5 + se * 10 + i AS id, unnest(ARRAY[${0x00080018}, ${0x00200013}]::BIGINT[]) AS tag,
        unnest(ARRAY[${uid(3, "s * 20 + se * 10 + i")}, (i + 1)::TEXT]) AS v
      FROM generate_series(0, ${
      studies - 1
    }) s, generate_series(0, 1) se, generate_series(0, 9) i`));
    await sql.unsafe(`INSERT INTO attachments (resource_id, content_type, uuid, compressed_size,
        uncompressed_size, compression, uncompressed_md5, compressed_md5, revision)
      SELECT internal_id, 1, md5('f' || internal_id), 500000, 500000, 0, '', '', 0
      FROM resources WHERE level = 3`);
    await sql.unsafe("SET session_replication_role = DEFAULT");
    await sql.unsafe(`UPDATE totals SET
      patients = (SELECT COUNT(*) FROM resources WHERE level = 0),
      studies = (SELECT COUNT(*) FROM resources WHERE level = 1),
      series = (SELECT COUNT(*) FROM resources WHERE level = 2),
      instances = (SELECT COUNT(*) FROM resources WHERE level = 3),
      compressed_size = (SELECT COALESCE(SUM(compressed_size), 0) FROM attachments),
      uncompressed_size = (SELECT COALESCE(SUM(uncompressed_size), 0) FROM attachments)`);
    await sql.unsafe(
      "SELECT setval('resources_internal_id_seq', (SELECT MAX(internal_id) FROM resources))",
    );
    await sql.unsafe("VACUUM ANALYZE");
  } finally {
    await sql.close();
  }
}
