// What a job is and what its worker says: the spec the job manager (main thread) hands a job's worker thread and
// the messages that come back, plain data only, since they are structured-cloned across the thread boundary; and
// the hooks a job body reports through, whoever runs it (the job worker, or the retrain worker's re-prediction).
import type { DatasetKind, ErrorPayload, JobInfo, NamedBytes } from '../../shared/contract.js';
import type { ThrownError } from '../node/diagnostics-log.js';

export type JobSpec =
  | {
      kind: 'predict';
      dbPath: string;
      imageIds: number[];
      modelId: number;
      modelDir: string;
      threads: number;
      author: string;
      /** Anatomy model directories (null: predict without anatomy). */
      anatomy: { arteryVein: string; opticDisc: string } | null;
    }
  | {
      kind: 'import';
      dbPath: string;
      actor: string;
      source:
        | { type: 'files'; paths: string[]; files: NamedBytes[] }
        | { type: 'folder'; path: string; recursive: boolean; pairMasks: boolean }
        | { type: 'dataset'; path: string; datasetKind: DatasetKind };
    };

export interface JobWorkerData {
  spec: JobSpec;
  /** Int32Array over a SharedArrayBuffer: [0] becomes 1 when the job is cancelled. */
  cancelFlag: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'progress'; done: number; total: number; message: string | null; imageId: number | null }
  | {
      type: 'finished';
      /** Images created or changed, for one imagesChanged event. */
      imageIds: number[];
      message: string;
      /** Set when nothing useful was done because of bad input (e.g. every file unreadable). */
      error: ErrorPayload | null;
      cancelled: boolean;
      /** Import jobs: every file that could not be imported; predict jobs: every image skipped (unreadable). */
      failures?: JobInfo['failures'];
    }
  /** `thrown`: an unexpected failure's error (a bug, not bad input), for the support log. */
  | { type: 'failed'; error: ErrorPayload; thrown?: ThrownError };

/** How a running job body checks for cancel and reports progress (`imageId`: the image just finished, if any). */
export interface JobHooks {
  isCancelled(): boolean;
  progress(done: number, total: number, message: string | null, imageId: number | null): void;
}
