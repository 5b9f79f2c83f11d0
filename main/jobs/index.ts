// The job layer: long work (predict, import) queued one at a time and run in worker threads, over the store and
// the engine. The handlers queue jobs through the JobManager; the retrain worker runs a prediction body directly.
// Nothing here knows about handlers, shells or Electron.
export { JobManager, type JobEvents, type Jobs } from './job-manager.js';
export type { JobHooks, JobSpec } from './job-types.js';
export { runPredictJob, quantisePrediction, type PredictJobInput } from './predict.js';
export { skippedSummary, type PredictOutcome, type SkippedImage } from './predict-outcome.js';
