// Restoring an earlier version of an image's mask (a prediction, a draft or an approval from its History): a new
// draft with that version's pixels, labels and disc (the current disc where it has no disc record) on top of the
// current one, audited with the version it came from. History is never rewritten: the versions in between stay, and
// the restore can itself be undone the same way.
// The version that is the current mask (the prediction, while nothing is saved) is not restored over itself: that
// would only add a duplicate and a History line saying something was brought back.
import { recordAudit } from './audit.js';
import type { Store } from './database.js';
import { copyOfSaveTx, insertDraftCopyTx, type DraftOnTop } from './draft-copy.js';
import { refuseIfCompacted } from './compacted.js';
import { ConstraintError, NotFoundError } from './errors.js';
import { getImage } from './images.js';
import { getMaskVersion, latestMaskVersion, latestPersonVersion, type MaskVersion } from './masks.js';
import { maskVersionNumber } from './review.js';

const anatomyKey = (a: MaskVersion['anatomy']): string =>
  JSON.stringify(a && { disc: a.disc, fovea: a.fovea, laterality: a.laterality });

/** `current` has what restoring `from` would copy: its pixels, labels and (where it has one) its disc record. */
function holdsCopyOf(current: MaskVersion, from: MaskVersion): boolean {
  return (
    current.pngHash === from.pngHash &&
    current.avHash === from.avHash &&
    (from.anatomy === null || anatomyKey(current.anatomy) === anatomyKey(from.anatomy))
  );
}

export function restoreMaskVersion(store: Store, req: DraftOnTop & { versionId: number }): MaskVersion {
  return store.write('restore an earlier mask version', () => {
    const image = getImage(store, req.imageId);
    const from = getMaskVersion(store, req.versionId);
    if (from.imageId !== image.id) {
      throw new NotFoundError(`mask version ${req.versionId} is not a version of ${image.fileName}`);
    }
    // A compacted version's pixels are gone: said as such, rather than a draft whose file is missing.
    refuseIfCompacted(store, from);
    const again = copyOfSaveTx(store, req, from);
    if (again) return again;
    const number = maskVersionNumber(store, from);
    const current = latestPersonVersion(store, image.id) ?? latestMaskVersion(store, image.id, 'prediction');
    if (current?.id === from.id) {
      throw new ConstraintError(
        `version ${number} is the current mask of ${image.fileName}: nothing was restored`,
      );
    }
    // Nor over a copy of itself: the restore made already, its answer lost (the page loaded again said it had
    // reached the server), then done again, made a second draft identical to the first.
    if (current && holdsCopyOf(current, from)) {
      throw new ConstraintError(
        `the current mask of ${image.fileName} (version ${maskVersionNumber(store, current)}) already is version ${number}'s: nothing was restored`,
      );
    }
    const version = insertDraftCopyTx(store, req, from, {
      note: `restored version ${number}`,
      outcome: 'nothing was restored',
      step: 'restoring an earlier version',
    });
    recordAudit(store, req.author, 'mask.restore', 'mask_version', version.id, {
      imageId: image.id,
      fromVersionId: from.id,
      fromVersion: number,
    });
    return version;
  });
}
