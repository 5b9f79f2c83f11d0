// What a finished retrain reports (and records on its training run): both models' scores, the decision and
// what followed it.
import type { Metrics, ModelManifest } from '../ml/types.js';

export interface HeldOutImageReport {
  imageId: number;
  fileName: string;
  maskVersionId: number;
  candidate: Metrics;
  active: Metrics;
  deltaF1: number;
  changedPixels: number;
  /** A difference overlay was saved for this image (the ones where the models differ most). */
  overlay: boolean;
}

/** Both models scored on the configured benchmark dataset (pooled over its field of view). */
export interface BenchmarkScores {
  path: string;
  split: string;
  images: number;
  candidate: Metrics;
  active: Metrics;
}

export interface RetrainOutcome {
  runId: number;
  baseModelId: number;
  candidateModelId: number;
  candidateName: string;
  candidateDir: string;
  heldOut: { pooled: { candidate: Metrics; active: Metrics }; images: HeldOutImageReport[] };
  benchmark: BenchmarkScores | null;
  decision: { better: boolean; reason: string; promoted: boolean };
  repredicted: number;
  repredictError: string | null;
  validationCurve: ModelManifest['provenance']['validationCurve'];
  losses: number[];
  trainSeconds: number;
  totalSeconds: number;
}
