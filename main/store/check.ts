// A full health check: the database's own integrity check, foreign keys, schema version, and every referenced blob present (and,
// optionally, its bytes still hashing to its name).
import { readFile } from 'node:fs/promises';
import type { Store } from './database.js';
import { referencedBlobs } from './blobs-referenced.js';
import { blobPath, hasBlob, sha256 } from './file-store.js';
import { SCHEMA_VERSION } from './schema.js';

export interface CheckReport {
  ok: boolean;
  schemaVersion: number;
  latestSchemaVersion: number;
  integrity: string[];
  foreignKeyViolations: number;
  missingBlobs: string[];
  corruptBlobs: string[];
  counts: Record<
    'patients' | 'studies' | 'images' | 'maskVersions' | 'models' | 'trainingRuns' | 'auditEntries',
    number
  >;
}

export async function checkStore(store: Store, opts: { verifyHashes?: boolean } = {}): Promise<CheckReport> {
  const integrity = store.backend.integrity();
  const fk = store.backend.foreignKeyViolations();
  const missing: string[] = [];
  const corrupt: string[] = [];
  for (const hash of referencedBlobs(store.db)) {
    if (!hasBlob(store, hash)) missing.push(hash);
    else if (opts.verifyHashes && sha256(await readFile(blobPath(store, hash))) !== hash) corrupt.push(hash);
  }
  const count = (table: string): number =>
    store.db.prepare(`SELECT COUNT(*) FROM ${table}`).pluck().get() as number;
  const report: CheckReport = {
    ok: false,
    schemaVersion: store.schemaVersion,
    latestSchemaVersion: SCHEMA_VERSION,
    integrity,
    foreignKeyViolations: fk,
    missingBlobs: missing,
    corruptBlobs: corrupt,
    counts: {
      patients: count('patients'),
      studies: count('studies'),
      images: count('images'),
      maskVersions: count('mask_versions'),
      models: count('models'),
      trainingRuns: count('training_runs'),
      auditEntries: count('audit_log'),
    },
  };
  report.ok =
    integrity.length === 1 &&
    integrity[0] === 'ok' &&
    fk === 0 &&
    missing.length === 0 &&
    corrupt.length === 0;
  return report;
}
