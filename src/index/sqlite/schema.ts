// The SQLite schema of the index. Levels are stored as 0..3 (Patient..Instance).
export const SCHEMA_VERSION = 3;

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS resources (
  internal_id INTEGER PRIMARY KEY,
  level INTEGER NOT NULL,
  public_id TEXT NOT NULL UNIQUE,
  parent_id INTEGER REFERENCES resources(internal_id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS resources_parent ON resources(parent_id);
CREATE INDEX IF NOT EXISTS resources_level ON resources(level, internal_id);
CREATE INDEX IF NOT EXISTS resources_level_public ON resources(level, public_id);

-- norm: the value in upper case, which case-insensitive matching (Orthanc's default) compares.
CREATE TABLE IF NOT EXISTS main_tags (
  resource_id INTEGER NOT NULL REFERENCES resources(internal_id) ON DELETE CASCADE,
  tag INTEGER NOT NULL,
  value TEXT NOT NULL,
  norm TEXT NOT NULL,
  PRIMARY KEY (resource_id, tag)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS main_tags_norm ON main_tags(tag, norm);

CREATE TABLE IF NOT EXISTS metadata (
  resource_id INTEGER NOT NULL REFERENCES resources(internal_id) ON DELETE CASCADE,
  type INTEGER NOT NULL,
  value TEXT NOT NULL,
  revision INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (resource_id, type)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS attachments (
  resource_id INTEGER NOT NULL REFERENCES resources(internal_id) ON DELETE CASCADE,
  content_type INTEGER NOT NULL,
  uuid TEXT NOT NULL,
  compressed_size INTEGER NOT NULL,
  uncompressed_size INTEGER NOT NULL,
  compression INTEGER NOT NULL,
  uncompressed_md5 TEXT NOT NULL,
  compressed_md5 TEXT NOT NULL,
  revision INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (resource_id, content_type)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  change_type INTEGER NOT NULL,
  level INTEGER NOT NULL,
  public_id TEXT NOT NULL,
  date TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS changes_resource ON changes(public_id);
-- The changes of a deleted resource go with it, as Orthanc's cascade on the resource does (a
-- cascading delete fires this trigger for every descendant).
CREATE TRIGGER IF NOT EXISTS changes_of_deleted_resource AFTER DELETE ON resources BEGIN
  DELETE FROM changes WHERE public_id = OLD.public_id;
END;

CREATE TABLE IF NOT EXISTS global_properties (
  property INTEGER PRIMARY KEY,
  value TEXT NOT NULL
);

-- Exact totals for /statistics without scanning: kept by triggers, so that cascading deletes,
-- recycling and attachment rewrites all count.
CREATE TABLE IF NOT EXISTS totals (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  patients INTEGER NOT NULL,
  studies INTEGER NOT NULL,
  series INTEGER NOT NULL,
  instances INTEGER NOT NULL,
  compressed_size INTEGER NOT NULL,
  uncompressed_size INTEGER NOT NULL
);
-- Computed once, when the row is missing (an index from before the counters): the WHERE keeps
-- the scans from running at every start.
INSERT INTO totals SELECT 0,
  (SELECT COUNT(*) FROM resources WHERE level = 0), (SELECT COUNT(*) FROM resources WHERE level = 1),
  (SELECT COUNT(*) FROM resources WHERE level = 2), (SELECT COUNT(*) FROM resources WHERE level = 3),
  (SELECT IFNULL(SUM(compressed_size), 0) FROM attachments),
  (SELECT IFNULL(SUM(uncompressed_size), 0) FROM attachments)
  WHERE NOT EXISTS (SELECT 1 FROM totals);
CREATE TRIGGER IF NOT EXISTS totals_resource_added AFTER INSERT ON resources BEGIN
  UPDATE totals SET patients = patients + (NEW.level = 0), studies = studies + (NEW.level = 1),
    series = series + (NEW.level = 2), instances = instances + (NEW.level = 3);
END;
CREATE TRIGGER IF NOT EXISTS totals_resource_removed AFTER DELETE ON resources BEGIN
  UPDATE totals SET patients = patients - (OLD.level = 0), studies = studies - (OLD.level = 1),
    series = series - (OLD.level = 2), instances = instances - (OLD.level = 3);
END;
CREATE TRIGGER IF NOT EXISTS totals_attachment_added AFTER INSERT ON attachments BEGIN
  UPDATE totals SET compressed_size = compressed_size + NEW.compressed_size,
    uncompressed_size = uncompressed_size + NEW.uncompressed_size;
END;
CREATE TRIGGER IF NOT EXISTS totals_attachment_removed AFTER DELETE ON attachments BEGIN
  UPDATE totals SET compressed_size = compressed_size - OLD.compressed_size,
    uncompressed_size = uncompressed_size - OLD.uncompressed_size;
END;
CREATE TRIGGER IF NOT EXISTS totals_attachment_changed AFTER UPDATE ON attachments BEGIN
  UPDATE totals SET compressed_size = compressed_size - OLD.compressed_size + NEW.compressed_size,
    uncompressed_size = uncompressed_size - OLD.uncompressed_size + NEW.uncompressed_size;
END;

-- The file journal (index/interface.ts PendingFilesTable): files being written, and files no
-- attachment points at any more that are still to be removed. The triggers keep it in the same
-- transaction as the attachment rows, so that whatever a crash leaves here is an orphan.
CREATE TABLE IF NOT EXISTS pending_files (
  uuid TEXT PRIMARY KEY,
  content_type INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS pending_file_attached AFTER INSERT ON attachments BEGIN
  DELETE FROM pending_files WHERE uuid = NEW.uuid;
END;
CREATE TRIGGER IF NOT EXISTS pending_file_replaced AFTER UPDATE OF uuid ON attachments
WHEN OLD.uuid <> NEW.uuid BEGIN
  DELETE FROM pending_files WHERE uuid = NEW.uuid;
  INSERT OR IGNORE INTO pending_files (uuid, content_type) VALUES (OLD.uuid, OLD.content_type);
END;
CREATE TRIGGER IF NOT EXISTS pending_file_detached AFTER DELETE ON attachments BEGIN
  INSERT OR IGNORE INTO pending_files (uuid, content_type) VALUES (OLD.uuid, OLD.content_type);
END;

-- Patients in the order they are recycled (oldest activity first); protected ones are kept.
CREATE TABLE IF NOT EXISTS patient_recycling (
  patient_id INTEGER PRIMARY KEY REFERENCES resources(internal_id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  protected INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS patient_recycling_order ON patient_recycling(protected, seq);
-- Every store moves its patient to the end: MAX(seq) without it read the whole table (17 ms a
-- store with 200,000 patients).
CREATE INDEX IF NOT EXISTS patient_recycling_seq ON patient_recycling(seq);

CREATE TABLE IF NOT EXISTS exports (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  level INTEGER NOT NULL,
  public_id TEXT NOT NULL,
  remote_modality TEXT NOT NULL,
  patient_id TEXT NOT NULL,
  study_instance_uid TEXT NOT NULL,
  series_instance_uid TEXT NOT NULL,
  sop_instance_uid TEXT NOT NULL,
  date TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS labels (
  resource_id INTEGER NOT NULL REFERENCES resources(internal_id) ON DELETE CASCADE,
  label TEXT NOT NULL,
  PRIMARY KEY (resource_id, label)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS labels_label ON labels(label);

-- Version 3: the key-value stores and queues of Orthanc 1.12.8 (plugins'). BINARY collation keeps
-- the keys in byte order, the order in which a store is listed.
CREATE TABLE IF NOT EXISTS key_values (
  store_id TEXT NOT NULL,
  key TEXT NOT NULL,
  value BLOB NOT NULL,
  PRIMARY KEY (store_id, key)
) WITHOUT ROWID;
-- seq orders a queue: the front is its smallest seq, the back its largest.
CREATE TABLE IF NOT EXISTS queues (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  queue_id TEXT NOT NULL,
  value BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS queues_order ON queues(queue_id, seq);
`;
