// images.csv of an export: one row per exported image with its clinical context, its review state and the mask
// version written. Pseudonymous unless names are asked for: the name column exists only then.
import { RECORDED_IDENTITY, type ExportIdentity } from './export-identity.js';
import type { Store } from './database.js';
import { getClinicalMany } from './clinical.js';
import { csvField } from '../../shared/csv-field.js';
import type { ImageRecord, MaskStatus } from './images.js';
import { sourcePrediction, type MaskVersion } from './masks.js';
import { getModel } from './models.js';
import { maskVersionNumber, reviewOf } from './review.js';

export interface ClinicalCsvItem {
  image: ImageRecord;
  /** The exported mask version; null when the image has none of the chosen source. */
  version: MaskVersion | null;
  /** The file the mask was written to (relative to the export's root), when masks were exported. */
  maskFile: string | null;
  /** The latest prediction: its quality estimate fills the expected-F1 columns. */
  prediction?: MaskVersion | null;
}

// The words the app shows for each review status.
const STATUS_WORD: Record<MaskStatus, string> = {
  none: 'new',
  prediction: 'predicted',
  draft: 'draft',
  approved: 'approved',
};

// Disc, fovea and the laterality the model judged from them: present when some exported image has them. Their places
// and size are in the photograph's pixels, named so as measures.csv names its disc columns (beside measures in
// micrometres a bare disc_diameter reads as one).
const ANATOMY_COLUMNS = [
  'disc_x_px',
  'disc_y_px',
  'disc_diameter_px',
  'disc_moved_by',
  'fovea_x_px',
  'fovea_y_px',
  'fovea_confidence',
  'laterality_from_disc',
];

/**
 * The model whose prediction the exported mask is, or was corrected from (empty for a mask drawn from nothing or a
 * dataset's label): not the image's latest prediction, which may be another model's, made after the approval.
 */
export function maskModelId(store: Store, version: MaskVersion): number | null {
  return version.kind === 'prediction'
    ? version.modelId
    : (sourcePrediction(store, version)?.modelId ?? null);
}

function maskModelName(store: Store, version: MaskVersion): string | null {
  const id = maskModelId(store, version);
  return id === null ? null : getModel(store, id).name;
}

export function clinicalCsv(
  store: Store,
  items: ClinicalCsvItem[],
  includeNames: boolean,
  identity: ExportIdentity = RECORDED_IDENTITY,
): string {
  // The exported version's anatomy (a person may have moved the disc), else the prediction's.
  const anatomyOf = (i: ClinicalCsvItem) => i.version?.anatomy ?? i.prediction?.anatomy ?? null;
  const clinical = new Map(
    getClinicalMany(
      store,
      items.map((i) => i.image.id),
    ).map((c) => [c.imageId, c]),
  );
  const header = [
    'image_id',
    'file_name',
    'patient_id',
    ...(includeNames ? ['patient_name'] : []),
    'birth_year',
    'eye',
    'visit_date',
    'camera',
    'field_angle_deg',
    'review_status',
    'reopened',
    'approved_by',
    'approved_at',
    'mask_version',
    'mask_kind',
    'mask_model',
    'mask_file',
    'expected_f1',
    'mean_uncertainty',
    'fragments',
    'likely_gaps',
    // The same columns whatever the selection: a script cannot rely on columns that come and go; empty where an
    // image has no disc or fovea.
    ...ANATOMY_COLUMNS,
  ];
  const lines = items.map((item) => {
    const { image, version, maskFile, prediction } = item;
    const c = clinical.get(image.id);
    const q = prediction?.quality ?? null;
    const review = reviewOf(store, image.id);
    const approved = version?.kind === 'approved' ? version : null;
    const a = anatomyOf(item);
    const px = (v: number | undefined) => (v === undefined ? null : v.toFixed(1));
    return [
      image.id,
      identity.fileName(image),
      identity.patient(c),
      ...(includeNames ? [c?.name ?? null] : []),
      c?.birthYear ?? null,
      c?.eye ?? null,
      c?.visitDate ?? null,
      c?.camera ?? null,
      c?.fieldAngleDeg ?? null,
      STATUS_WORD[review.status],
      review.reopened ? 'yes' : 'no',
      // Who approved the exported mask and when: empty for a draft or a prediction, even of an approved image.
      approved ? identity.author(approved.author) : null,
      approved?.createdAt ?? null,
      version ? maskVersionNumber(store, version) : null,
      version?.kind ?? null,
      version ? maskModelName(store, version) : null,
      maskFile,
      q ? q.expectedF1.toFixed(4) : null,
      q ? q.meanUncertainty.toFixed(5) : null,
      q?.fragments ?? null,
      q?.gaps.length ?? null,
      px(a?.disc?.x),
      px(a?.disc?.y),
      px(a?.disc?.diameter),
      a?.discMovedBy ?? null,
      px(a?.fovea?.x),
      px(a?.fovea?.y),
      a?.fovea ? a.fovea.confidence.toFixed(3) : null,
      a?.laterality ?? null,
    ]
      .map(csvField)
      .join(',');
  });
  return [header.join(','), ...lines].join('\n') + '\n';
}
