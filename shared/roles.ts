// Who may call what in team mode: every request channel names the roles allowed to call it. The server enforces
// this table on every request (and, for annotators, that the images named are assigned to them); the renderer
// reads it only to show each role the actions it may take. A new channel must be placed here to compile.
import type { RequestChannel, Role } from './contract.js';

export type { Role };
export const ROLE_NAMES: readonly Role[] = ['admin', 'reviewer', 'annotator'];

const EVERYONE: readonly Role[] = ['admin', 'reviewer', 'annotator'];
const REVIEWERS: readonly Role[] = ['admin', 'reviewer'];
const ADMINS: readonly Role[] = ['admin'];

export const CHANNEL_ROLES: { readonly [C in RequestChannel]: readonly Role[] } = {
  getAppInfo: EVERYONE,
  reportRendererError: EVERYONE,
  listPatients: REVIEWERS,
  listStudies: REVIEWERS,
  listImages: EVERYONE, // an annotator's listing holds only the images assigned to them
  getImageInfo: EVERYONE,
  getImage: EVERYONE,
  getImageThumbnail: EVERYONE,
  getImagePreview: EVERYONE,
  getMasks: EVERYONE,
  getProbabilities: EVERYONE,
  getUncertainty: EVERYONE,
  getMeasurements: EVERYONE,
  getReport: REVIEWERS,
  openReportWindow: REVIEWERS,
  saveReportPdf: REVIEWERS,
  compareVisits: REVIEWERS,
  saveDraft: EVERYONE,
  approveMask: REVIEWERS,
  reopenMask: REVIEWERS,
  acquireEditLease: EVERYONE,
  getEditLease: EVERYONE,
  releaseEditLease: EVERYONE,
  listKeptDrafts: EVERYONE,
  getKeptDraft: EVERYONE, // an annotator's only for their images (access-guard.ts)
  adoptKeptDraft: EVERYONE,
  submitForReview: EVERYONE,
  sendBack: REVIEWERS,
  assignImages: REVIEWERS,
  listUsers: REVIEWERS,
  getReaders: REVIEWERS,
  getAgreement: REVIEWERS,
  getClinicalInfo: EVERYONE,
  // The history names patients' changes and every reader's work: the reviewers'.
  getImageHistory: REVIEWERS,
  // Restoring is reading the History and acting on it: a reviewer's, as reopening is.
  getMaskVersionPreview: REVIEWERS,
  restoreMaskVersion: REVIEWERS,
  savesMade: EVERYONE,
  setClinicalInfo: REVIEWERS,
  // Erasure is for good and reaches every user's work: the team's administrators only.
  previewErasure: ADMINS,
  eraseImages: ADMINS,
  exportImages: REVIEWERS,
  importFiles: REVIEWERS,
  importFolder: REVIEWERS,
  importDataset: REVIEWERS,
  predict: REVIEWERS,
  cancelJob: REVIEWERS,
  // An annotator starts no job; the team's jobs name images (and patients) that are not theirs.
  listJobs: REVIEWERS,
  dismissJob: REVIEWERS,
  getQueue: REVIEWERS,
  listModels: EVERYONE,
  getActiveModel: EVERYONE,
  showOpenDialog: REVIEWERS,
  openSampleStudy: REVIEWERS,
  startRetrain: ADMINS,
  cancelRetrain: ADMINS,
  getRetrainStatus: EVERYONE,
  getRetrainRun: REVIEWERS,
  getRetrainOverlay: REVIEWERS,
  setRetrainSettings: ADMINS,
  promoteModel: ADMINS,
  rejectModel: ADMINS,
  rollbackModel: ADMINS,
};

export function mayCall(role: Role, channel: RequestChannel): boolean {
  return CHANNEL_ROLES[channel].includes(role);
}

/** Who is logged in (team mode); null in single-user mode. */
export interface SessionInfo {
  name: string;
  role: Role;
  /** ISO time the session ends. */
  expiresAt: string;
}
