// The PostgreSQL schema of the index: the tables and semantics of the SQLite one (sqlite/schema.ts),
// in PostgreSQL's dialect. Text columns compare in byte order (COLLATE "C"), the order SQLite's
// BINARY collation gives and Orthanc's std::set keeps. Levels are 0..3 (Patient..Instance).
//
// The version lives in `pharos_schema`: a start upgrades an older database, and refuses one that
// a newer Pharos wrote, whose tables it may misread.
export const SCHEMA_VERSION = 1;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS resources (
  internal_id BIGSERIAL PRIMARY KEY,
  level SMALLINT NOT NULL,
  public_id TEXT COLLATE "C" NOT NULL UNIQUE,
  parent_id BIGINT REFERENCES resources(internal_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS resources_parent ON resources(parent_id);
CREATE INDEX IF NOT EXISTS resources_level ON resources(level, internal_id);
CREATE INDEX IF NOT EXISTS resources_level_public ON resources(level, public_id);

-- norm: the value in upper case, which case-insensitive matching (Orthanc's default) compares.
CREATE TABLE IF NOT EXISTS main_tags (
  resource_id BIGINT NOT NULL REFERENCES resources(internal_id) ON DELETE CASCADE,
  tag BIGINT NOT NULL,
  value TEXT COLLATE "C" NOT NULL,
  norm TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (resource_id, tag)
);
CREATE INDEX IF NOT EXISTS main_tags_norm ON main_tags(tag, norm);

CREATE TABLE IF NOT EXISTS metadata (
  resource_id BIGINT NOT NULL REFERENCES resources(internal_id) ON DELETE CASCADE,
  type INTEGER NOT NULL,
  value TEXT COLLATE "C" NOT NULL,
  revision INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (resource_id, type)
);

CREATE TABLE IF NOT EXISTS attachments (
  resource_id BIGINT NOT NULL REFERENCES resources(internal_id) ON DELETE CASCADE,
  content_type INTEGER NOT NULL,
  uuid TEXT NOT NULL,
  compressed_size BIGINT NOT NULL,
  uncompressed_size BIGINT NOT NULL,
  compression INTEGER NOT NULL,
  uncompressed_md5 TEXT NOT NULL,
  compressed_md5 TEXT NOT NULL,
  revision INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (resource_id, content_type)
);

CREATE TABLE IF NOT EXISTS changes (
  seq BIGSERIAL PRIMARY KEY,
  change_type INTEGER NOT NULL,
  level SMALLINT NOT NULL,
  public_id TEXT COLLATE "C" NOT NULL,
  date TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_resource ON changes(public_id);

CREATE TABLE IF NOT EXISTS global_properties (
  property INTEGER PRIMARY KEY,
  value TEXT NOT NULL
);

-- Exact totals for /statistics without scanning, kept by triggers as in SQLite.
CREATE TABLE IF NOT EXISTS totals (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  patients BIGINT NOT NULL,
  studies BIGINT NOT NULL,
  series BIGINT NOT NULL,
  instances BIGINT NOT NULL,
  compressed_size BIGINT NOT NULL,
  uncompressed_size BIGINT NOT NULL
);
INSERT INTO totals VALUES (0, 0, 0, 0, 0, 0, 0) ON CONFLICT DO NOTHING;

-- The file journal (index/interface.ts PendingFilesTable). Several nodes share it: each row
-- names the node that journaled it (pharos.node, which each connection sets), so that a node
-- starting removes only the files of nodes that are gone (database.ts pendingFiles).
CREATE TABLE IF NOT EXISTS pending_files (
  uuid TEXT PRIMARY KEY,
  content_type INTEGER NOT NULL,
  node INTEGER NOT NULL DEFAULT current_setting('pharos.node')::INTEGER
);

-- Patients in the order they are recycled (oldest activity first); protected ones are kept.
CREATE SEQUENCE IF NOT EXISTS patient_recycling_seq;
CREATE TABLE IF NOT EXISTS patient_recycling (
  patient_id BIGINT PRIMARY KEY REFERENCES resources(internal_id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  protected BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX IF NOT EXISTS patient_recycling_order ON patient_recycling(protected, seq);

CREATE TABLE IF NOT EXISTS exports (
  seq BIGSERIAL PRIMARY KEY,
  level SMALLINT NOT NULL,
  public_id TEXT NOT NULL,
  remote_modality TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  study_instance_uid TEXT NOT NULL,
  series_instance_uid TEXT NOT NULL,
  sop_instance_uid TEXT NOT NULL,
  date TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS labels (
  resource_id BIGINT NOT NULL REFERENCES resources(internal_id) ON DELETE CASCADE,
  label TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (resource_id, label)
);
CREATE INDEX IF NOT EXISTS labels_label ON labels(label);

CREATE TABLE IF NOT EXISTS key_values (
  store_id TEXT COLLATE "C" NOT NULL,
  key TEXT COLLATE "C" NOT NULL,
  value BYTEA NOT NULL,
  PRIMARY KEY (store_id, key)
);
CREATE TABLE IF NOT EXISTS queues (
  seq BIGSERIAL PRIMARY KEY,
  queue_id TEXT COLLATE "C" NOT NULL,
  value BYTEA NOT NULL
);
CREATE INDEX IF NOT EXISTS queues_order ON queues(queue_id, seq);

-- The triggers of the SQLite schema, as row-level trigger functions.
CREATE OR REPLACE FUNCTION pharos_resource_deleted() RETURNS trigger AS $$
BEGIN
  -- The changes of a deleted resource go with it, as Orthanc's cascade on the resource does.
  DELETE FROM changes WHERE public_id = OLD.public_id;
  UPDATE totals SET patients = patients - (OLD.level = 0)::INT, studies = studies - (OLD.level = 1)::INT,
    series = series - (OLD.level = 2)::INT, instances = instances - (OLD.level = 3)::INT;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION pharos_resource_added() RETURNS trigger AS $$
BEGIN
  UPDATE totals SET patients = patients + (NEW.level = 0)::INT, studies = studies + (NEW.level = 1)::INT,
    series = series + (NEW.level = 2)::INT, instances = instances + (NEW.level = 3)::INT;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
-- An attachment row pointing at a file takes it out of the journal; one that stops pointing at
-- it puts it in, in the same transaction, so that whatever a crash leaves there is an orphan.
CREATE OR REPLACE FUNCTION pharos_attachment_changed() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE totals SET compressed_size = compressed_size - OLD.compressed_size,
      uncompressed_size = uncompressed_size - OLD.uncompressed_size;
    IF TG_OP = 'DELETE' OR OLD.uuid <> NEW.uuid THEN
      INSERT INTO pending_files (uuid, content_type) VALUES (OLD.uuid, OLD.content_type)
        ON CONFLICT DO NOTHING;
    END IF;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    UPDATE totals SET compressed_size = compressed_size + NEW.compressed_size,
      uncompressed_size = uncompressed_size + NEW.uncompressed_size;
    DELETE FROM pending_files WHERE uuid = NEW.uuid;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE OR REPLACE TRIGGER resource_deleted AFTER DELETE ON resources
  FOR EACH ROW EXECUTE FUNCTION pharos_resource_deleted();
CREATE OR REPLACE TRIGGER resource_added AFTER INSERT ON resources
  FOR EACH ROW EXECUTE FUNCTION pharos_resource_added();
CREATE OR REPLACE TRIGGER attachment_changed AFTER INSERT OR UPDATE OR DELETE ON attachments
  FOR EACH ROW EXECUTE FUNCTION pharos_attachment_changed();
`;

/** The steps from each version to the next: step i upgrades version i + 1 to i + 2. */
export const UPGRADES: readonly string[] = [];
