// The simulated annotation study's choices, as pure functions (unit-tested): which held-out images form the pool
// and which the test part, which pool images "Review next" and a seeded random draw give the annotator, and the
// closing comparison.
import { createHash } from 'node:crypto';
import { createRng } from '../../main/ml/rng.js';

/** Fixed, so every run and every machine splits LES-AV's held-out half the same way. */
export const SPLIT_SALT = 'bench:active/pool-test';

/**
 * Splits ids into a pool of `poolSize` and a test part by a salted hash of each id: deterministic, independent of
 * the order the ids are listed in, and not by id order (which could follow acquisition order).
 */
export function splitPoolTest(
  ids: readonly string[],
  poolSize: number,
  salt = SPLIT_SALT,
): { pool: string[]; test: string[] } {
  if (new Set(ids).size !== ids.length) throw new Error('splitPoolTest: duplicate ids');
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize >= ids.length)
    throw new Error(`splitPoolTest: pool size ${poolSize} must leave a test part of ${ids.length} ids`);
  const key = (id: string): string => createHash('sha256').update(`${salt}:${id}`).digest('hex');
  const ranked = [...ids].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const byId = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });
  return { pool: ranked.slice(0, poolSize).sort(byId), test: ranked.slice(poolSize).sort(byId) };
}

/**
 * "Review next" as the worklist orders unapproved predictions (main/handlers/worklist.ts byReviewNext): lowest
 * expected F1 first, ties by id. The first k are what an annotator following it corrects.
 */
export function reviewNextOrder(expectedF1: ReadonlyMap<string, number>): string[] {
  for (const [id, f] of expectedF1)
    if (!Number.isFinite(f)) throw new Error(`reviewNextOrder: image ${id} has no expected F1`);
  return [...expectedF1.keys()].sort(
    (a, b) => expectedF1.get(a)! - expectedF1.get(b)! || a.localeCompare(b, 'en', { numeric: true }),
  );
}

/** A seeded random order of the pool; its first k are the random strategy's k images (nested as k grows). */
export function randomOrder(pool: readonly string[], seed: number): string[] {
  return createRng(seed)
    .fork('bench:active/random')
    .shuffle([...pool]);
}

/** The first k of an order, as a set key (the same images give the same retrain, so it is run once). */
export function choiceKey(ids: readonly string[]): string {
  return [...ids].sort().join(',');
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('mean of nothing');
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/**
 * The question: does "Review next" with at most `maxImages` images reach the random strategy's F1 with
 * `randomImages`? Null figures (a refused or unmeasured round) leave it unanswered.
 */
export function reachesRandom(
  reviewNextF1: ReadonlyMap<number, number | null>,
  randomMeanF1: number | null,
  maxImages: number,
): { answered: false } | { answered: true; reached: boolean; best: number; bestK: number } {
  if (randomMeanF1 === null) return { answered: false };
  let best = -Infinity;
  let bestK = 0;
  for (const [k, f1] of reviewNextF1) {
    if (k > maxImages || f1 === null) continue;
    if (f1 > best) [best, bestK] = [f1, k];
  }
  if (bestK === 0) return { answered: false };
  return { answered: true, reached: best >= randomMeanF1, best, bestK };
}

/** F1 of a 0/1 mask against the ground truth inside the FOV (how wrong each pool prediction really was). */
export function maskF1(mask: Uint8Array, truth: Uint8Array, fov: Uint8Array): number {
  if (mask.length !== truth.length || mask.length !== fov.length) throw new Error('maskF1: sizes differ');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < mask.length; i++) {
    if (fov[i] === 0) continue;
    const p = mask[i] !== 0;
    const t = truth[i] !== 0;
    if (p && t) tp++;
    else if (p) fp++;
    else if (t) fn++;
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}
