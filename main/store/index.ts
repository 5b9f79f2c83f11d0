// The study store's public API. Nothing outside main/store issues SQL: use these functions.
export { migrate, Store, type OpenStoreOptions, type StoreHooks } from './database.js';
export { openStore } from './open-store.js';
export { changeMark, imagesChangedSince, type ChangeMark } from './outside-changes.js';
export { SCHEMA_VERSION, MIGRATIONS, type Migration } from './schema.js';
export * from './errors.js';
export { defaultDatabasePath } from './default-path.js';
export {
  ForeignDatabaseUrlError,
  isPostgresUrl,
  redactUrl,
  resolveLocation,
  type StoreBackendKind,
} from './sql.js';
export { copyStore, type CopyReport, type TableCopy } from './copy.js';
export { listAudit, type AuditEntry, type AuditFilter } from './audit.js';
export { type ChainReport } from './audit-chain.js';
export { auditRowsOfImages, auditRowsOfPatient, imagesOfPatient } from './audit-trail.js';
export {
  createPatient,
  createStudy,
  findPatient,
  getPatient,
  getStudy,
  listPatients,
  listStudies,
  type Patient,
  type PatientInput,
  type Study,
  type StudyInput,
} from './patients.js';
export {
  countImages,
  findImageByHash,
  getImage,
  listImages,
  setImageLaterality,
  type ImageListItem,
  type ImagePage,
  type ImageRecord,
  type Laterality,
  type ListImagesQuery,
  type MaskStatus,
} from './images.js';
export { imageFilePath, loadFov, loadImageRaster, readOriginalBytes } from './image-data.js';
export {
  approveMaskVersion,
  encodeMaskPng,
  getMaskVersion,
  latestApprovedMasks,
  latestMasks,
  latestMaskVersion,
  latestPersonVersion,
  listMaskVersions,
  loadArteryProbabilityBytes,
  loadMask,
  loadProbability,
  loadProbabilityBytes,
  loadUncertainty,
  MASK_KINDS,
  readMaskPng,
  reopenApprovedMask,
  saveMaskVersion,
  sourcePrediction,
  versionsOfSaves,
  type MaskKind,
  type MaskVersion,
  type PredictionQuality,
  type SaveMaskInput,
} from './masks.js';
export {
  anatomyProblem,
  checkAvLabels,
  loadAvLabels,
  sameDisc,
  type AnatomyInput,
  type VersionAnatomy,
} from './anatomy.js';
export { anatomyApprovals, type AnatomyApproval } from './anatomy-corrections.js';
export {
  activeModel,
  findModelByName,
  getModel,
  listModels,
  modelTrainingMasks,
  promoteModel,
  registerModel,
  relocateModel,
  retireModel,
  updateModelMetrics,
  type ModelRecord,
  type ModelStatus,
  type ModelTask,
  type RegisterModelInput,
  type TrainedOnEntry,
  type TrainingMaskLink,
} from './models.js';
export { isBundledModelDir } from './model-paths.js';
export {
  amendTrainingRunOutcome,
  failInterruptedRuns,
  finishTrainingRun,
  getTrainingRun,
  listTrainingRuns,
  liveRunMessage,
  otherLiveRun,
  startTrainingRun,
  updateTrainingProgress,
  type RunStatus,
  type TrainingRun,
} from './training-runs.js';
export {
  importDataset,
  importFolder,
  importImageFiles,
  importPaths,
  ImportStoppedError,
  mergeReports,
  type ImportedImage,
  type ImportOptions,
  type ImportReport,
  type ImportWarning,
  type PlanOptions,
  type RecognisedDataset,
  type SkippedFile,
} from './import.js';
export { isDicom, parseDicomImage, type DicomImage } from './dicom.js';
export {
  buildCoco,
  chooseMaskVersion,
  computeImageMetrics,
  exportCoco,
  exportDataset,
  exportMasks,
  exportMetricsCsv,
  metricsCsv,
  type CocoDocument,
  type DatasetExport,
  type ExportedMask,
  type ImageMetricsRow,
  type MaskSource,
} from './export.js';
export {
  BUNDLE_PARTS,
  buildBundle,
  bundleBaseName,
  writeBundleFolder,
  type BundleOptions,
  type BundlePart,
  type BundleSink,
  type BundleSummary,
} from './export-bundle.js';
export { decodeCocoRle, encodeCocoRle, type CocoRle } from './rle.js';
export { backupStore, type BackupResult } from './backup.js';
export {
  auditChainOf,
  checkStore,
  missingFilesFolder,
  missingFilesFolderAdvice,
  type CheckReport,
} from './check.js';
export { bytesText, storageOf, storageText, type StorageReport } from './storage-size.js';
export {
  getClinical,
  getClinicalMany,
  setClinical,
  type ClinicalChanges,
  type ClinicalRecord,
} from './clinical.js';
export {
  latestIds,
  maskVersionNumber,
  ownLatestIds,
  reviewOf,
  reviewStatus,
  type LatestIds,
  type ReviewRecord,
} from './review.js';
export {
  currentMaskVersion,
  dicomPixelSize,
  measureSources,
  planMeasurement,
  withPhotographVerdict,
  readerMaskVersion,
  scaleSourceOf,
  type MeasurePlan,
  type ScaleSource,
} from './measure-inputs.js';
export {
  countUsers,
  createUser,
  disableUser,
  enableUser,
  findUser,
  findUserCredentials,
  getUser,
  listUsers,
  ROLES,
  setPasswordHash,
  userNameProblem,
  type Role,
  type UserRecord,
} from './users.js';
export {
  createSession,
  endSession,
  findSession,
  hashToken,
  type LiveSession,
  type SessionUser,
} from './sessions.js';
export { assigneesOf, isAssigned, readsBlind, setAssignees, wasAssigned } from './assignments.js';
export {
  handoffOf,
  handoffSeenBy,
  handoffSeenByReviewer,
  ownSubmission,
  sendBack,
  submitForReview,
  type HandoffRecord,
  type HandoffState,
} from './handoffs.js';
export {
  formerReaderDrafts,
  isMultiReader,
  latestDraftBy,
  multiReaderImageIds,
  readerDrafts,
} from './readers.js';
export {
  getLease,
  liveLeases,
  releaseLease,
  releaseLeasesOf,
  releaseWindowLeases,
  requestLease,
  type LeaseOutcome,
  type LeaseRecord,
  type LeaseRequest,
} from './edit-leases.js';
export {
  EditRefusedError,
  getKeptDraft,
  listKeptDrafts,
  loadKeptAv,
  loadKeptMask,
  type KeptDraft,
  type KeptReason,
} from './kept-drafts.js';
export { adoptKeptDraft, type AdoptRequest } from './adopt-kept-draft.js';
export { restoreMaskVersion } from './restore-version.js';
export { compactStudy, DEFAULT_KEEP_DAYS, type CompactOptions, type CompactReport } from './compaction.js';
export { CompactedVersionError, compactedAt, compactedVersionsOf, refuseIfCompacted } from './compacted.js';
export {
  appendJobLog,
  beatTeamJob,
  cancelTeamJob,
  claimTeamJob,
  createTeamJob,
  dismissTeamJob,
  failQueuedTeamJob,
  failUnsentTeamJob,
  finishTeamJob,
  findTeamJob,
  getTeamJob,
  imagesPredictedByJob,
  jobLog,
  listTeamJobs,
  recentJobLogs,
  refuseTeamJob,
  releaseTeamJob,
  setTeamJobRun,
  staleTeamJobs,
  type HeldJob,
  type JobClaim,
  type JobLogLine,
  type TeamJob,
  type TeamJobKind,
  type TeamJobState,
} from './jobs.js';
export { blobStore, sha256, type BlobStore } from './file-store.js';
export {
  eraseRecords,
  planErasure,
  removeErasedFiles,
  wasErased,
  type EraseOptions,
  type ErasurePlan,
  type ErasureReport,
  type ErasureTarget,
} from './erase.js';
export { makeSideDir, overlayPath, runArtifactsDir } from './run-files.js';
export { studyIdentity, studyKey } from './study-key.js';
