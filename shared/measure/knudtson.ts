// Central retinal arteriolar and venular equivalents by Knudtson's revised formulas (Knudtson et al., "Revised
// formulas for summarizing retinal vessel diameters", Curr Eye Res 2003): the six widest arterioles (venules) in
// zone B are combined pairwise, widest with narrowest, w = k * sqrt(w1^2 + w2^2) with k = 0.88 for arterioles and
// 0.95 for venules; with an odd count the middle one is carried to the next round, until one value is left.

export const KNUDTSON_ARTERIOLE = 0.88;
export const KNUDTSON_VENULE = 0.95;
/** Vessels the revised formulas take per class. */
export const KNUDTSON_VESSELS = 6;

/** Combines widths (any order) to one equivalent calibre with branching coefficient `k`. */
export function knudtsonEquivalent(widths: number[], k: number): number {
  if (widths.length === 0) throw new Error('no vessel widths to combine');
  let round = [...widths].sort((a, b) => b - a);
  while (round.length > 1) {
    const next: number[] = [];
    const n = round.length;
    for (let i = 0; i < Math.floor(n / 2); i++) next.push(k * Math.hypot(round[i], round[n - 1 - i]));
    if (n % 2 === 1) next.push(round[(n - 1) / 2]);
    round = next.sort((a, b) => b - a);
  }
  return round[0];
}

/** CRAE or CRVE from the widths of the vessels found in the zone: the six widest, or null when fewer than six. */
export function centralEquivalent(widths: number[], kind: 'arteriole' | 'venule'): number | null {
  if (widths.length < KNUDTSON_VESSELS) return null;
  const six = [...widths].sort((a, b) => b - a).slice(0, KNUDTSON_VESSELS);
  return knudtsonEquivalent(six, kind === 'arteriole' ? KNUDTSON_ARTERIOLE : KNUDTSON_VENULE);
}
