// The schema as an ordered list of migrations. `PRAGMA user_version` holds the number of the last one applied;
// each is applied in its own transaction together with the version bump, so a crash leaves either the old or the
// new schema. Never edit a shipped migration: append a new one.
import { resealAuditChain } from './audit-chain.js';
import { relativeModelDirs } from './model-paths.js';
import type { SqlDatabase } from './sql.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * The same change in PostgreSQL's dialect, for the few SQLite can only make by rebuilding a table (a changed
   * CHECK): otherwise the translation in postgres/postgres-schema.ts serves.
   */
  postgres?: string;
  /**
   * A change of the rows that SQL alone cannot make (it needs the database's own models folder, `ownModels`): run
   * after `sql`, in the same transaction.
   */
  data?: (db: SqlDatabase, ownModels: string) => void;
}

const v1 = `
CREATE TABLE patients (
  id INTEGER PRIMARY KEY,
  pseudonym TEXT NOT NULL UNIQUE,          -- never a real name: a clinic id or a generated code
  birth_year INTEGER,
  sex TEXT CHECK (sex IN ('F', 'M', 'O')),
  notes TEXT,
  created_at TEXT NOT NULL
);

CREATE TABLE studies (
  id INTEGER PRIMARY KEY,
  patient_id INTEGER NOT NULL REFERENCES patients(id),
  study_uid TEXT UNIQUE,                   -- DICOM StudyInstanceUID when known
  study_date TEXT,                         -- ISO date
  device TEXT,
  notes TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX studies_by_patient ON studies(patient_id);

CREATE TABLE images (
  id INTEGER PRIMARY KEY,
  study_id INTEGER REFERENCES studies(id),
  file_hash TEXT NOT NULL UNIQUE,          -- sha256 of the original bytes, also the blob address
  file_name TEXT NOT NULL,
  source_path TEXT,
  format TEXT NOT NULL,                    -- tiff, png, jpeg, gif, ppm, dicom...
  byte_size INTEGER NOT NULL,
  raster_hash TEXT,                        -- lossless PNG of the pixels when the original is not directly readable (DICOM)
  width INTEGER NOT NULL CHECK (width > 0),
  height INTEGER NOT NULL CHECK (height > 0),
  channels INTEGER NOT NULL CHECK (channels BETWEEN 1 AND 4),
  laterality TEXT CHECK (laterality IN ('OD', 'OS')),
  pixel_spacing_row_mm REAL,
  pixel_spacing_col_mm REAL,
  fov_hash TEXT,                           -- 0/255 PNG blob
  fov_derived INTEGER NOT NULL DEFAULT 0,
  acquisition TEXT,                        -- JSON: device, date, DICOM fields...
  dataset TEXT,                            -- drive, stare, generic: where it came from
  dataset_sample_id TEXT,
  dataset_split TEXT CHECK (dataset_split IN ('train', 'test')),
  imported_at TEXT NOT NULL
);
CREATE INDEX images_by_study ON images(study_id);

CREATE TABLE training_runs (
  id INTEGER PRIMARY KEY,
  base_model_id INTEGER REFERENCES models(id),
  config TEXT NOT NULL,                    -- JSON
  seed INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
  progress REAL NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 1),
  log TEXT NOT NULL DEFAULT '',
  outcome TEXT,                            -- JSON on success, the reason on failure
  started_at TEXT NOT NULL,
  finished_at TEXT
);

CREATE TABLE models (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  dir_path TEXT NOT NULL,
  architecture TEXT NOT NULL,              -- JSON
  metrics TEXT,                            -- JSON
  parent_model_id INTEGER REFERENCES models(id),
  training_run_id INTEGER REFERENCES training_runs(id),
  status TEXT NOT NULL DEFAULT 'candidate' CHECK (status IN ('candidate', 'active', 'retired')),
  created_at TEXT NOT NULL,
  promoted_at TEXT
);
-- Exactly one active model: at most one by this index, at least one by promoteModel's transaction.
CREATE UNIQUE INDEX models_one_active ON models(status) WHERE status = 'active';

CREATE TABLE mask_versions (
  id INTEGER PRIMARY KEY,
  image_id INTEGER NOT NULL REFERENCES images(id),
  kind TEXT NOT NULL CHECK (kind IN ('prediction', 'draft', 'approved')),
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  parent_id INTEGER REFERENCES mask_versions(id),
  model_id INTEGER REFERENCES models(id),
  png_hash TEXT NOT NULL,                  -- 8-bit single-channel 0/255 PNG blob
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  note TEXT,
  CHECK (kind <> 'prediction' OR model_id IS NOT NULL)
);
CREATE INDEX mask_versions_latest ON mask_versions(image_id, kind, id);
CREATE TRIGGER mask_versions_immutable_update BEFORE UPDATE ON mask_versions
  BEGIN SELECT RAISE(ABORT, 'mask versions are immutable'); END;
CREATE TRIGGER mask_versions_immutable_delete BEFORE DELETE ON mask_versions
  BEGIN SELECT RAISE(ABORT, 'mask versions are immutable'); END;

CREATE TABLE model_training_masks (
  model_id INTEGER NOT NULL REFERENCES models(id),
  mask_version_id INTEGER NOT NULL REFERENCES mask_versions(id),
  role TEXT NOT NULL DEFAULT 'train' CHECK (role IN ('train', 'validation')),
  PRIMARY KEY (model_id, mask_version_id)
) WITHOUT ROWID;

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,                    -- e.g. image.import, mask.save, model.promote
  entity TEXT NOT NULL,
  entity_id INTEGER,
  details TEXT                             -- JSON
);
CREATE INDEX audit_by_entity ON audit_log(entity, entity_id);
`;

/** v2: probability maps and thresholds on predictions, an owner pid on training runs, a dataset index. */
const v2 = `
ALTER TABLE mask_versions ADD COLUMN prob_hash TEXT;   -- 8-bit PNG of round(255 * p), predictions only
ALTER TABLE mask_versions ADD COLUMN threshold REAL;
ALTER TABLE training_runs ADD COLUMN pid INTEGER;      -- to tell a run whose process was killed
ALTER TABLE training_runs ADD COLUMN heartbeat_at TEXT;
CREATE INDEX images_by_dataset ON images(dataset, dataset_split, id);
`;

/**
 * v3: clinical context. A patient's optional real name (kept on this machine; exports leave it out unless asked),
 * an image's field angle, a visit's lookup by patient and date. The camera is the study's `device`.
 */
const v3 = `
ALTER TABLE patients ADD COLUMN name TEXT;
ALTER TABLE images ADD COLUMN field_angle_deg REAL CHECK (field_angle_deg IS NULL OR field_angle_deg > 0);
CREATE INDEX studies_by_patient_date ON studies(patient_id, study_date);
`;

/**
 * v4: where a prediction is unsure. The uncertainty map (16-bit PNG, 0 = certain, 65535 = most uncertain), the
 * image's quality scores as JSON (expected F1, mean uncertainty, fragments, likely gaps) and the expected F1 again
 * as a column, since the worklist's "Review next" order sorts by it.
 */
const v4 = `
ALTER TABLE mask_versions ADD COLUMN uncertainty_hash TEXT;
ALTER TABLE mask_versions ADD COLUMN quality TEXT;
ALTER TABLE mask_versions ADD COLUMN expected_f1 REAL;
`;

/**
 * v5: anatomy. Each mask version may carry an artery/vein label map (8-bit PNG blob, 0 background, 1 artery,
 * 2 vein, non-zero exactly on the mask's vessel pixels) and its optic disc, fovea and laterality as JSON
 * ({disc, fovea, laterality, discMovedBy}).
 */
const v5 = `
ALTER TABLE mask_versions ADD COLUMN av_hash TEXT;
ALTER TABLE mask_versions ADD COLUMN anatomy TEXT;
`;

/**
 * v6: the artery/vein classifier's confidence beside its labels: an 8-bit PNG of round(255 * P(artery)) on
 * predictions, so a measurement's interval can carry the chance that a vessel's label is wrong.
 */
const v6 = `
ALTER TABLE mask_versions ADD COLUMN artery_prob_hash TEXT;
`;

/**
 * v7: a team on one database. Accounts with a role and a scrypt hash (never the password), login sessions stored
 * by the hash of their token (a stolen database holds no usable token), which annotators an image is assigned to,
 * and where an image's hand-off stands between annotator and reviewer (awaiting review, or sent back with a
 * comment); the history of both is in the audit log.
 */
const v7 = `
CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'reviewer', 'annotator')),
  password_hash TEXT NOT NULL,             -- scrypt$N$r$p$salt$hash (base64url)
  created_at TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))
);

CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,             -- sha256 of the cookie's token
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions(user_id);

CREATE TABLE image_assignments (
  image_id INTEGER NOT NULL REFERENCES images(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  assigned_by TEXT NOT NULL,
  assigned_at TEXT NOT NULL,
  PRIMARY KEY (image_id, user_id)
);
CREATE INDEX image_assignments_by_user ON image_assignments(user_id, image_id);

CREATE TABLE image_handoffs (
  image_id INTEGER PRIMARY KEY REFERENCES images(id),
  state TEXT NOT NULL CHECK (state IN ('awaiting-review', 'needs-work')),
  comment TEXT,
  mask_version_id INTEGER REFERENCES mask_versions(id), -- the newest version then: a newer approval settles it
  by_user TEXT NOT NULL,
  at TEXT NOT NULL
);
`;

/** kept_drafts as v8 made it, under `name` and with the refusal reasons allowed (v10 rebuilds it with one more). */
function keptDraftsTable(name: string, reasons: string[]): string {
  return `CREATE TABLE ${name} (
  id INTEGER PRIMARY KEY,
  image_id INTEGER NOT NULL REFERENCES images(id),
  author TEXT NOT NULL,
  created_at TEXT NOT NULL,
  reason TEXT NOT NULL CHECK (reason IN (${reasons.map((r) => `'${r}'`).join(', ')})),
  based_on_id INTEGER REFERENCES mask_versions(id),
  current_id INTEGER REFERENCES mask_versions(id),
  png_hash TEXT NOT NULL,
  width INTEGER NOT NULL,
  height INTEGER NOT NULL,
  av_hash TEXT,
  anatomy TEXT,
  adopted_id INTEGER REFERENCES mask_versions(id)
);`;
}

/**
 * v8: one editor per image. `edit_leases` holds at most one lease per image (who edits it, from which window, until
 * when: times are ISO strings computed in JS); `kept_drafts` holds edits whose save was refused (another window held
 * the lease, or the image's mask moved on since the edit started): kept with their pixels, never the image's current
 * mask, until someone adopts one (a new draft version on top of the current one, named in `adopted_id`).
 */
const v8 = `
CREATE TABLE edit_leases (
  image_id INTEGER PRIMARY KEY REFERENCES images(id),
  holder TEXT NOT NULL,
  client_id TEXT NOT NULL,
  acquired_at TEXT NOT NULL,
  renewed_at TEXT NOT NULL,
  expires_at TEXT NOT NULL
);
${keptDraftsTable('kept_drafts', ['lease', 'stale'])}
CREATE INDEX kept_drafts_by_image ON kept_drafts(image_id, id);
`;

/**
 * v9: the team's job queue as the app sees it. pg-boss (its own `pgboss` schema) delivers jobs to worker machines
 * and retries them; these rows are what the queue shows and keeps: state, who runs it, progress, a heartbeat
 * (a worker that stops beating loses its job to another), the outcome and the log lines of every attempt. A
 * prediction names the job that made it, once per image (a retried job never saves an image twice).
 */
const v9 = `
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,                     -- the pg-boss job id (a UUID)
  kind TEXT NOT NULL CHECK (kind IN ('predict', 'import', 'retrain')),
  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  actor TEXT NOT NULL,
  spec TEXT NOT NULL,                      -- JSON: what the job does
  done INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,
  message TEXT,
  error TEXT,                              -- JSON {code, message}
  failures TEXT,                           -- JSON [{file, reason}] (imports)
  worker TEXT,                             -- the worker running it, or that ran it last
  attempt INTEGER NOT NULL DEFAULT 0,
  run_id INTEGER REFERENCES training_runs(id),
  dismissed INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  started_at TEXT,
  heartbeat_at TEXT,
  finished_at TEXT
);
CREATE INDEX jobs_by_state ON jobs(state, created_at);

CREATE TABLE job_log (
  id INTEGER PRIMARY KEY,
  job_id TEXT NOT NULL REFERENCES jobs(id),
  attempt INTEGER NOT NULL,
  worker TEXT,
  at TEXT NOT NULL,
  line TEXT NOT NULL
);
CREATE INDEX job_log_by_job ON job_log(job_id, id);

ALTER TABLE mask_versions ADD COLUMN job_id TEXT;
CREATE UNIQUE INDEX mask_versions_once_per_job ON mask_versions(job_id, image_id);
`;

/**
 * v10: a save can also be refused because the image was handed on (submitted for review, or sent back to its
 * annotators): such an edit is kept like the others, with its own reason. SQLite changes a CHECK only by
 * rebuilding the table (nothing refers to kept_drafts); PostgreSQL replaces the constraint.
 */
const v10 = `
${keptDraftsTable('kept_drafts_v10', ['lease', 'stale', 'handed-off'])}
INSERT INTO kept_drafts_v10 SELECT * FROM kept_drafts;
DROP TABLE kept_drafts;
ALTER TABLE kept_drafts_v10 RENAME TO kept_drafts;
CREATE INDEX kept_drafts_by_image ON kept_drafts(image_id, id);
`;

const v10Postgres = `
ALTER TABLE kept_drafts DROP CONSTRAINT kept_drafts_reason_check;
ALTER TABLE kept_drafts ADD CONSTRAINT kept_drafts_reason_check CHECK (reason IN ('lease', 'stale', 'handed-off'));
`;

/**
 * v11: models of a task. The artery/vein and optic-disc models are registered beside the vessel models (their
 * retrains have the same lineage, trained-on masks and promotions), so each model says which task it does, and
 * one model per task is active.
 */
const v11 = `
ALTER TABLE models ADD COLUMN task TEXT NOT NULL DEFAULT 'vessel' CHECK (task IN ('vessel', 'artery-vein', 'optic-disc'));
DROP INDEX models_one_active;
CREATE UNIQUE INDEX models_one_active ON models(task) WHERE status = 'active';
`;

/**
 * v12: erasure. A clinic erases an image (or a visit, or a patient) on request: its rows go, mask versions
 * included, which the immutability trigger otherwise refuses. `erased_images` keeps which image ids were erased,
 * when and by whom (nothing about what they held), so the trigger lets exactly those versions go and no id is
 * ever given to another image or version later (SQLite reuses the highest rowid once it is deleted; the audit
 * log and any note that says "image 57" would then name the wrong image).
 */
const v12Table = `
CREATE TABLE erased_images (
  image_id INTEGER NOT NULL PRIMARY KEY,
  erased_at TEXT NOT NULL,
  erased_by TEXT NOT NULL,
  mask_versions_up_to INTEGER NOT NULL    -- the highest mask version id when it was erased: ids continue above it
);
CREATE TABLE erased_files (                -- files of erased rows still to remove (an erasure cut short finishes them)
  hash TEXT NOT NULL PRIMARY KEY
);
`;

const v12 = `${v12Table}
DROP TRIGGER mask_versions_immutable_delete;
CREATE TRIGGER mask_versions_immutable_delete BEFORE DELETE ON mask_versions
  WHEN NOT EXISTS (SELECT 1 FROM erased_images WHERE image_id = OLD.image_id)
  BEGIN SELECT RAISE(ABORT, 'mask versions are immutable'); END;
`;

/** PostgreSQL's trigger conditions cannot hold a subquery: the function asks instead. */
const v12Postgres = `${v12Table}
CREATE OR REPLACE FUNCTION retina_refuse_unless_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM erased_images WHERE image_id = OLD.image_id) THEN RETURN OLD; END IF;
  RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
END $$;
DROP TRIGGER mask_versions_immutable_delete ON mask_versions;
CREATE TRIGGER mask_versions_immutable_delete BEFORE DELETE ON mask_versions FOR EACH ROW
  EXECUTE FUNCTION retina_refuse_unless_erased('mask versions are immutable');
`;

/**
 * v14: a tamper-evident audit log. Each row keeps the hash of the row before it and the hash of that with its own
 * content (audit-chain.ts); the rows already there are chained as the upgrade finds them.
 */
const v14 = `
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;
`;

/**
 * v15: compaction. Superseded autosaved drafts older than a while may lose their pixel files (`retina db compact`):
 * the version row and its audit entries stay, and this table says which versions were compacted, when and by whom.
 * A table of its own rather than a column, so that mask_versions stays immutable as its triggers say.
 */
const v15 = `
CREATE TABLE compacted_versions (
  mask_version_id INTEGER NOT NULL PRIMARY KEY REFERENCES mask_versions(id),
  compacted_at TEXT NOT NULL,
  compacted_by TEXT NOT NULL
);
`;

/**
 * v16: each blind reader's own send-back. A two-reader image has one hand-off, which the first reader to resubmit
 * overwrote, so the other reader lost the reviewer's comment; each reader keeps theirs here until they resubmit.
 */
const v16 = `
CREATE TABLE reader_send_backs (
  image_id INTEGER NOT NULL REFERENCES images(id),
  reader TEXT NOT NULL,
  comment TEXT NOT NULL,
  mask_version_id INTEGER REFERENCES mask_versions(id), -- the newest version then: a newer approval settles it
  by_user TEXT NOT NULL,
  at TEXT NOT NULL,
  PRIMARY KEY (image_id, reader)
);
`;

/**
 * v17: a reader's earlier send-backs. Sent back again before they resubmitted, a reader kept only the newest comment;
 * the ones they have not answered yet stay here (a JSON array of {comment, by, at}, oldest first).
 */
const v17 = `
ALTER TABLE reader_send_backs ADD COLUMN earlier TEXT;
`;

/**
 * v18: an image's earlier send-backs. Its one hand-off kept only the newest comment, so the reader of an image with
 * one reader, sent back twice before resubmitting, lost what the first asked for; the ones not answered yet stay
 * here (as v17 keeps a blind reader's).
 */
const v18 = `
ALTER TABLE image_handoffs ADD COLUMN earlier TEXT;
`;

/**
 * v19: an editor's save carries an id its window chose. A save whose answer was lost (it committed, the window heard
 * nothing) and that is sent again gets the version it made instead of a second one, and the window's next save,
 * naming it among its unanswered saves, builds on it instead of being refused as stale against the window's own
 * version. The index is partial: over every version it would be picked for the worklist's status filter in place
 * of mask_versions_latest, which that filter must seek.
 */
const v19 = `
ALTER TABLE mask_versions ADD COLUMN save_id TEXT;
CREATE UNIQUE INDEX mask_versions_once_per_save ON mask_versions(image_id, save_id) WHERE save_id IS NOT NULL;
`;

/**
 * v20: a refused save's kept draft records the save's id. A save refused (stale, another window's lease) whose
 * answer was lost, sent again, is answered with the draft kept the first time instead of keeping a second copy.
 */
const v20 = `
ALTER TABLE kept_drafts ADD COLUMN save_id TEXT;
CREATE UNIQUE INDEX kept_drafts_once_per_save ON kept_drafts(image_id, save_id) WHERE save_id IS NOT NULL;
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'core schema', sql: v1 },
  { version: 2, name: 'prediction maps and run ownership', sql: v2 },
  { version: 3, name: 'clinical context: patient names, field angles', sql: v3 },
  { version: 4, name: 'prediction uncertainty and quality scores', sql: v4 },
  { version: 5, name: 'artery/vein maps, optic disc and fovea', sql: v5 },
  { version: 6, name: 'artery probability of predictions', sql: v6 },
  { version: 7, name: 'accounts, sessions, assignments and review hand-offs', sql: v7 },
  { version: 8, name: 'edit leases and kept drafts', sql: v8 },
  { version: 9, name: 'team job queue and its log', sql: v9 },
  { version: 10, name: 'edits kept when the image was handed on', sql: v10, postgres: v10Postgres },
  { version: 11, name: 'models of a task: one active per task', sql: v11 },
  { version: 12, name: 'erasure of images, visits and patients', sql: v12, postgres: v12Postgres },
  {
    version: 13,
    name: 'model folders named relative to the study, which can then move',
    sql: '',
    data: relativeModelDirs,
  },
  {
    version: 14,
    name: 'audit log chained by hashes',
    sql: v14,
    data: (db) => void resealAuditChain(db),
  },
  { version: 15, name: 'compacted draft versions', sql: v15 },
  { version: 16, name: "each blind reader's own send-back", sql: v16 },
  { version: 17, name: "a reader's earlier send-backs not answered yet", sql: v17 },
  { version: 18, name: "an image's earlier send-backs not answered yet", sql: v18 },
  { version: 19, name: "ids of editors' saves: a save sent again is not made twice", sql: v19 },
  { version: 20, name: 'ids of refused saves: a refused save sent again is not kept twice', sql: v20 },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
