// Which samples must fall on the same side of a line between what a model fits and what judges it (validation, a
// retrain's held-out images): the photographs of one patient's eye (other visits included) and copies of one
// photograph (another file, format or size). Fitted on one of them and judged on another, a model is scored on what
// it learnt. Shared by `retina train` (dataset files) and the retrain (store images): each says what it knows of
// its samples, this joins them.
import { DUPLICATE_CORRELATION, fingerprintCorrelation } from '../image/thumbnail-fingerprint.js';

export interface GroupingFacts {
  /** The patient, as the caller knows it (a record's id, a file name's pseudonym); null: unknown. */
  patient: string | null;
  eye: 'OD' | 'OS' | null;
  /** thumbnailFingerprint of the photograph; null when it could not be read. */
  fingerprint: Float64Array | null;
}

/**
 * Each sample's group, as the first of its group in `ids`' order: one patient's images of one eye (an image of
 * unknown eye joins all of its patient's images: it may be either eye) and copies of one photograph are one group;
 * any other sample is its own.
 */
export function sampleGroups<K>(ids: readonly K[], facts: ReadonlyMap<K, GroupingFacts>): Map<K, K> {
  const parent = ids.map((_, i) => i);
  const find = (i: number): number => {
    let root = i;
    while (parent[root] !== root) root = parent[root];
    parent[i] = root;
    return root;
  };
  const join = (a: number, b: number): void => {
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const byEye = new Map<string, number>();
  ids.forEach((id, i) => {
    const f = facts.get(id);
    if (!f || f.patient === null) return;
    const key = JSON.stringify([f.patient, f.eye ?? 'patient']);
    const first = byEye.get(key);
    if (first === undefined) byEye.set(key, i);
    else join(first, i);
  });
  for (const [key, i] of byEye) {
    const [patient, eye] = JSON.parse(key) as [string, string];
    if (eye !== 'patient') continue;
    for (const other of ['OD', 'OS']) {
      const mate = byEye.get(JSON.stringify([patient, other]));
      if (mate !== undefined) join(i, mate);
    }
  }
  const prints: [number, Float64Array][] = [];
  ids.forEach((id, i) => {
    const fp = facts.get(id)?.fingerprint;
    if (fp) prints.push([i, fp]);
  });
  for (let a = 0; a < prints.length; a++) {
    for (let b = a + 1; b < prints.length; b++) {
      if (fingerprintCorrelation(prints[a][1], prints[b][1]) > DUPLICATE_CORRELATION)
        join(prints[a][0], prints[b][0]);
    }
  }
  return new Map(ids.map((id, i) => [id, ids[find(i)]]));
}

/**
 * Takes `count` more groups into `held`, one candidate's group at a time in the candidates' order, skipping a group
 * already held and one `fits` refuses once added; returns the candidates that brought a group in.
 */
export function pickGroups<T, G>(
  ordered: readonly T[],
  count: number,
  groupOf: (t: T) => G,
  held: Set<G>,
  fits: () => boolean = () => true,
): T[] {
  const picked: T[] = [];
  for (const t of ordered) {
    if (picked.length >= count) break;
    const group = groupOf(t);
    if (held.has(group)) continue;
    held.add(group);
    if (!fits()) {
      held.delete(group);
      continue;
    }
    picked.push(t);
  }
  return picked;
}

/**
 * The validation groups (best epoch, threshold) among `ordered` (every candidate, in the order to take them): whole
 * groups, at most `count` images or one group of more, and something left to fit. Empty when one group holds every
 * candidate.
 */
export function validationGroups<T, G>(ordered: readonly T[], count: number, groupOf: (t: T) => G): Set<G> {
  const held = new Set<G>();
  const size = (): number => ordered.filter((t) => held.has(groupOf(t))).length;
  pickGroups(ordered, count, groupOf, held, () => {
    const n = size();
    return n < ordered.length && (n <= count || held.size === 1);
  });
  return held;
}
