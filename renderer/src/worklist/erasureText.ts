// The words of the erase dialog, from the server's preview: what goes, what stays out of reach, and what the
// confirmation word is. Pure, so that what the user is told before an irreversible step is tested on its own.
import type { ErasureDone, ErasurePreview } from '../../../shared/contract.js';
import { plural } from '../../../shared/plural.js';

/** Typed by the user to enable the button: a click alone cannot erase a patient. */
export const CONFIRM_WORD = 'erase';

export function erasureSummary(p: ErasurePreview): string {
  const parts = [plural(p.imageIds.length, 'image'), plural(p.maskVersions, 'mask version')];
  if (p.keptDrafts > 0) parts.push(plural(p.keptDrafts, 'kept draft'));
  if (p.visits > 0) parts.push(plural(p.visits, 'visit'));
  if (p.patients.length > 0)
    parts.push(`patient${p.patients.length > 1 ? 's' : ''} ${p.patients.join(', ')} (no visit left)`);
  return `${parts.join(', ')}.`;
}

export function erasureCaveats(p: ErasurePreview): string[] {
  const lines = [
    'This cannot be undone. Backups, exported folders and printed or saved reports are not reached.',
  ];
  if (p.trainedModels.length > 0)
    lines.push(
      `The model${p.trainedModels.length > 1 ? 's' : ''} ${p.trainedModels.join(', ')} learned from these ` +
        'masks: they keep what they learned, and their cards name the images; retrain without them if that matters.',
    );
  return lines;
}

export function erasureDoneMessage(d: ErasureDone): string {
  const mb = (d.bytesFreed / 1e6).toFixed(1);
  const done = `Erased ${plural(d.imageIds.length, 'image')} (${plural(d.filesRemoved, 'file')}, ${mb} MB removed)`;
  return d.residue ? `${done}; still there for now: ${d.residue}` : done;
}
