// What a team job does, as stored in its `jobs` row and read by whichever worker takes it: the single-user job
// spec without what belongs to one machine (the database address, which may carry a password; thread counts;
// anatomy model folders), uploaded files as blobs in the shared folder rather than bytes, and retraining.
import type { NamedBytes } from '../../../shared/contract.js';
import { blobStore, sha256, type Store } from '../../store/index.js';
import type { RetrainSettings } from '../../retrain/settings.js';
import { findAnatomyDirs } from '../anatomy-dirs.js';
import type { JobSpec } from '../job-types.js';
import type { JobWork } from '../run-job.js';

type ImportSource = Extract<JobSpec, { kind: 'import' }>['source'];
type StoredSource =
  | Exclude<ImportSource, { type: 'files' }>
  | { type: 'files'; paths: string[]; files: { name: string; hash: string }[] };

export type TeamWork =
  | { kind: 'predict'; imageIds: number[]; modelId: number; modelDir: string; author: string }
  | { kind: 'import'; actor: string; source: StoredSource }
  | {
      kind: 'retrain';
      actor: string;
      trigger: 'button' | 'auto';
      promote: 'if-better' | 'never';
      settings: Partial<RetrainSettings>;
    };

/**
 * A single-user job spec as team work, and the uploaded files it names by hash, which must be put in the blob
 * store before the job is sent (the workers read them there).
 */
export function teamWorkOf(spec: JobSpec): { work: TeamWork; uploads: NamedBytes[] } {
  if (spec.kind === 'predict') {
    const { imageIds, modelId, modelDir, author } = spec;
    return { work: { kind: 'predict', imageIds, modelId, modelDir, author }, uploads: [] };
  }
  const { source } = spec;
  if (source.type !== 'files') return { work: { kind: 'import', actor: spec.actor, source }, uploads: [] };
  const files = source.files.map((f) => ({ name: f.name, hash: sha256(f.bytes) }));
  return {
    work: { kind: 'import', actor: spec.actor, source: { type: 'files', paths: source.paths, files } },
    uploads: source.files,
  };
}

/** Team work as the job body takes it, on this machine (its thread count, its anatomy models). */
export async function jobWorkOf(
  store: Store,
  work: Exclude<TeamWork, { kind: 'retrain' }>,
  local: { threads: number; modelDir: string },
): Promise<JobWork> {
  if (work.kind === 'predict') {
    // This machine's anatomy models ($RETINA_ANATOMY_MODELS or the bundled ones), like its own predictions.
    return { ...work, modelDir: local.modelDir, threads: local.threads, anatomy: findAnatomyDirs() };
  }
  const { source } = work;
  if (source.type !== 'files') return { kind: 'import', actor: work.actor, source };
  const blobs = blobStore(store);
  const files: NamedBytes[] = [];
  for (const f of source.files) files.push({ name: f.name, bytes: await blobs.get(f.hash) });
  return { kind: 'import', actor: work.actor, source: { type: 'files', paths: source.paths, files } };
}

/** Images or files the job goes through, for its progress bar before a worker reports. */
export function workTotal(work: TeamWork): number {
  if (work.kind === 'predict') return work.imageIds.length;
  if (work.kind === 'import' && work.source.type === 'files')
    return work.source.paths.length + work.source.files.length;
  return 0;
}
