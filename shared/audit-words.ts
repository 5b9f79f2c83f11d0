// An audit entry about an image, in the words a reviewer reads in the viewer's History ("approved", "sent back:
// the optic disc is cut"). Pure: the main process sends the entries, the renderer and tests word them alike. An
// action it does not know is shown as it is, never hidden.

const field = (d: unknown, key: string): unknown =>
  d !== null && typeof d === 'object' ? (d as Record<string, unknown>)[key] : undefined;

const CLINICAL_FIELDS: Record<string, string> = {
  pseudonym: 'patient',
  eye: 'eye',
  visitDate: 'visit date',
  camera: 'camera',
  fieldAngleDeg: 'field angle',
  studyId: 'visit',
};

const FIXED: Record<string, string> = {
  'image.import': 'imported the photograph',
  'mask.draft': 'saved a draft',
  'mask.approved': 'approved the mask',
  'mask.adopt': 'made a kept draft the mask',
  'mask.disc.move': 'moved the optic disc',
  'review.submit': 'submitted it for review',
  'image.erase': 'erased the image',
};

const eyeAfter = (d: unknown): string | null => {
  const after = field(d, 'after');
  return typeof after === 'string' ? after : null;
};

export function auditWords(action: string, details: unknown): string {
  if (FIXED[action]) return FIXED[action];
  switch (action) {
    case 'mask.prediction': {
      const model = field(details, 'modelId');
      return typeof model === 'number' ? `predicted the mask (model ${model})` : 'predicted the mask';
    }
    case 'mask.kept': {
      const reason = field(details, 'reason');
      return reason === 'lease'
        ? 'a save while another window edited it was kept aside'
        : reason === 'handed-off'
          ? 'a save after it was handed on was kept aside'
          : 'a save on an older version was kept aside';
    }
    case 'mask.reopen': {
      const reason = field(details, 'reason');
      return typeof reason === 'string' && reason !== ''
        ? `reopened the approved mask for editing: ${reason}`
        : 'reopened the approved mask for editing';
    }
    case 'mask.restore': {
      const from = field(details, 'fromVersion');
      return typeof from === 'number' ? `restored version ${from}` : 'restored an earlier version';
    }
    case 'review.send-back': {
      const comment = field(details, 'comment');
      return typeof comment === 'string' ? `sent it back: ${comment}` : 'sent it back';
    }
    case 'image.assign': {
      const who = field(details, 'assignees');
      return Array.isArray(who) && who.length > 0 ? `assigned it to ${who.join(', ')}` : 'unassigned it';
    }
    case 'image.clinical': {
      const keys = details !== null && typeof details === 'object' ? Object.keys(details) : [];
      // The visit changes with its date or its patient: saying "visit" again adds nothing.
      const said = keys.filter(
        (k) => k !== 'studyId' || !keys.some((o) => ['visitDate', 'pseudonym', 'camera'].includes(o)),
      );
      const named = [...new Set(said.map((k) => CLINICAL_FIELDS[k]).filter(Boolean))];
      return named.length > 0 ? `changed the ${named.join(', ')}` : 'changed the clinical details';
    }
    case 'image.clinical.named': {
      const keys = details !== null && typeof details === 'object' ? Object.keys(details) : [];
      const named = [...new Set(keys.map((k) => CLINICAL_FIELDS[k]).filter((w) => w && w !== 'visit'))];
      return `filled in the ${named.join(', ') || 'clinical details'} from a later file's name`;
    }
    case 'lease.take-over':
      return `took over editing from ${String(field(details, 'from') ?? 'another window')}`;
    case 'image.laterality':
    case 'image.laterality.marked': {
      const eye = eyeAfter(details);
      return eye ? `set the eye to ${eye}` : 'cleared the eye';
    }
    case 'image.laterality.predicted': {
      const eye = eyeAfter(details);
      return eye
        ? `the eye (${eye}) was read from the optic disc`
        : 'the eye read from the optic disc was cleared';
    }
    default:
      return action;
  }
}
