// A working mask that follows the prediction takes the prediction's pixels wherever the user has not edited by
// hand: the threshold slider and a fresh prediction both rewrite the mask this way, so corrections survive.

/** Copies `source` into `mask` where `edited` is 0; returns how many pixels changed. All three are the same size. */
export function adoptUnedited(mask: Uint8Array, source: Uint8Array, edited: Uint8Array): number {
  if (source.length !== mask.length || edited.length !== mask.length) {
    throw new RangeError(
      `mask (${mask.length}), source (${source.length}) and edit marks (${edited.length}) differ in size`,
    );
  }
  let changed = 0;
  for (let p = 0; p < mask.length; p++) {
    if (edited[p] === 0 && mask[p] !== source[p]) {
      mask[p] = source[p];
      changed++;
    }
  }
  return changed;
}
