// The artery/vein vote along the vessel tree on hand-drawn masks: where segments meet (a branch point, a crossing
// whose skeleton splits into two junctions), which arms are coupled, and how evidence flows: a weak or wrong
// segment follows the confident vessel it continues, and a crossing vessel keeps its own type.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { vesselSegments } from '../../shared/vessel-segments.js';
import { drawnMask } from '../support/drawn-masks.js';
import { segmentNodes } from '../../shared/segment-nodes.js';
import {
  AV_PROPAGATION,
  avCouplings,
  propagateEvidence,
  treeVote,
} from '../../main/ml/anatomy/av-propagation.js';

const W = 72;
const H = 72;

/** A horizontal vessel crossed by a steep one near the centre. */
const crossing = () =>
  drawnMask(W, H, [
    [4, 36, 67, 36],
    [20, 4, 52, 67],
  ]);

/** A trunk from the left that forks into two branches. */
const fork = () =>
  drawnMask(W, H, [
    [4, 36, 36, 36],
    [36, 36, 66, 8],
    [36, 36, 66, 64],
  ]);

/** The segment owning the skeleton pixel nearest (x, y). */
function segmentAt(seg: ReturnType<typeof vesselSegments>, x: number, y: number): number {
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i < seg.skeleton.length; i++) {
    if (!seg.skeleton[i] || !seg.owner[i]) continue;
    const d = ((i % W) - x) ** 2 + (Math.floor(i / W) - y) ** 2;
    if (d < bestD) {
      bestD = d;
      best = seg.owner[i];
    }
  }
  return best;
}

describe('segment nodes', () => {
  test('a fork is one node with three arms, each arriving towards the branch point', () => {
    const seg = vesselSegments(fork(), W, H);
    const nodes = segmentNodes(seg, W, H, AV_PROPAGATION.shortPiece);
    assert.equal(nodes.length, 1, JSON.stringify(nodes));
    const arms = nodes[0].arms;
    assert.deepEqual(
      arms.map((a) => a.segment).sort((a, b) => a - b),
      [segmentAt(seg, 10, 36), segmentAt(seg, 60, 13), segmentAt(seg, 60, 58)].sort((a, b) => a - b),
    );
    const trunk = arms.find((a) => a.segment === segmentAt(seg, 10, 36))!;
    assert.ok(trunk.dx > 0.9, `the trunk arrives from the left: ${trunk.dx}, ${trunk.dy}`);
    assert.equal(avCouplings(nodes).length, 3, 'every pair of a branch point is coupled');
  });

  test("a crossing's two junctions are one node whose straight-through arms are paired", () => {
    const seg = vesselSegments(crossing(), W, H);
    const nodes = segmentNodes(seg, W, H, AV_PROPAGATION.shortPiece);
    assert.equal(nodes.length, 1, JSON.stringify(nodes));
    assert.equal(nodes[0].arms.length, 4);
    const left = segmentAt(seg, 8, 36);
    const right = segmentAt(seg, 63, 36);
    const top = segmentAt(seg, 22, 8);
    const bottom = segmentAt(seg, 50, 63);
    const pairs = avCouplings(nodes).map((c) => [c.a, c.b].sort((a, b) => a - b).join('-'));
    assert.deepEqual(
      pairs.sort(),
      [[left, right].sort((a, b) => a - b).join('-'), [top, bottom].sort((a, b) => a - b).join('-')].sort(),
    );
  });

  test('at a branch point the arms that continue straightest are coupled more strongly than the side arm', () => {
    // A vessel running left to right with a side branch leaving it upwards.
    const m = drawnMask(W, H, [
      [4, 40, 67, 40],
      [36, 40, 36, 4],
    ]);
    const seg = vesselSegments(m, W, H);
    const nodes = segmentNodes(seg, W, H, AV_PROPAGATION.shortPiece);
    assert.equal(nodes.length, 1);
    const left = segmentAt(seg, 8, 40);
    const right = segmentAt(seg, 63, 40);
    const key = (a: number, b: number) => [a, b].sort((x, y) => x - y).join('-');
    const strength = new Map(avCouplings(nodes).map((c) => [key(c.a, c.b), c.strength]));
    assert.equal(strength.size, 3);
    assert.equal(strength.get(key(left, right)), AV_PROPAGATION.straightBranch);
    const sides = [...strength.entries()].filter(([k]) => k !== key(left, right)).map(([, v]) => v);
    assert.deepEqual(sides, [AV_PROPAGATION.sideBranch, AV_PROPAGATION.sideBranch]);
    assert.ok(AV_PROPAGATION.sideBranch < AV_PROPAGATION.straightBranch);
  });

  test('four arms that do not run straight through are two branch points close together: every pair or none is coupled', () => {
    // A trunk from the left splitting into three branches at one place.
    const m = drawnMask(W, H, [
      [4, 36, 34, 36],
      [34, 36, 60, 6],
      [34, 36, 66, 40],
      [34, 36, 56, 66],
    ]);
    const seg = vesselSegments(m, W, H);
    const nodes = segmentNodes(seg, W, H, AV_PROPAGATION.shortPiece);
    assert.equal(nodes.length, 1, JSON.stringify(nodes));
    assert.equal(nodes[0].arms.length, 4);
    const couplings = avCouplings(nodes, { ...AV_PROPAGATION, branchCluster: 1 });
    assert.equal(couplings.length, 6);
    assert.ok(couplings.every((c) => c.strength === 1));
    assert.equal(AV_PROPAGATION.branchCluster, 0, 'the chosen couplings leave such nodes uncoupled');
    assert.equal(avCouplings(nodes).length, 0);
  });

  test('without the merge (no short piece allowed) the same crossing falls apart into several junctions', () => {
    const seg = vesselSegments(crossing(), W, H);
    const nodes = segmentNodes(seg, W, H, 0);
    assert.ok(nodes.length >= 2, JSON.stringify(nodes));
  });
});

describe('evidence along the tree', () => {
  test('a weak segment takes the type of the confident one it is coupled to; an uncoupled one keeps its own', () => {
    // Segments 1-2 coupled, 3 alone; 1 a long confident artery, 2 and 3 weakly vein.
    const posterior = propagateEvidence([0, 4, -0.5, -0.5], [0, 40, 40, 40], [{ a: 1, b: 2, strength: 3 }]);
    assert.ok(posterior[2] > 0, `coupled: ${posterior[2]}`);
    assert.ok(posterior[3] < 0 && Math.abs(posterior[3] + 0.5) < 1e-9, `alone: ${posterior[3]}`);
    assert.ok(posterior[1] > 3, 'the confident one stays confident');
  });

  test('a short segment counts less than a long one with the same mean', () => {
    const posterior = propagateEvidence([0, 1, -1], [0, 40, 2], [{ a: 1, b: 2, strength: 3 }]);
    assert.ok(posterior[2] > 0, 'the short segment follows the long one it continues');
  });

  test('at a crossing the wrong arm follows its own vessel and the crossing vessel keeps its type', () => {
    const mask = crossing();
    const seg = vesselSegments(mask, W, H);
    const left = segmentAt(seg, 8, 36);
    const right = segmentAt(seg, 63, 36);
    const top = segmentAt(seg, 22, 8);
    const bottom = segmentAt(seg, 50, 63);
    // The horizontal vessel is an artery, but the network is unsure and slightly wrong on its right arm; the
    // steep vessel is a vein.
    const logits = new Float32Array(W * H);
    for (let i = 0; i < logits.length; i++) {
      const s = seg.owner[i];
      logits[i] = s === left ? 3 : s === right ? -0.4 : s === top || s === bottom ? -3 : 0;
    }
    const vote = treeVote(logits, seg, W, H);
    assert.ok(vote[right] > 0, `right arm: ${vote[right]}`);
    assert.ok(vote[top] < 0 && vote[bottom] < 0, 'the vein stays a vein');
    assert.ok(vote[left] > 0);
  });
});
