// What a finished retrain reports (and records on its training run): both models' scores, the decision and
// what followed it.
import type { PromotionVerdict } from '../../shared/contract.js';
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
  /** Its reference was made by a person or a dataset, so the gate counted it (absent in older runs). */
  usable?: boolean;
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
  /** The gate's whole verdict; runs recorded before the gate kept only better, reason and promoted. */
  decision: PromotionVerdict;
  repredicted: number;
  repredictError: string | null;
  validationCurve: ModelManifest['provenance']['validationCurve'];
  losses: number[];
  trainSeconds: number;
  totalSeconds: number;
}
