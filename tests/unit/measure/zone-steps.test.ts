// The steps by which zoneVessels takes a zone's vessels (revised Knudtson protocol), each on a small graph drawn by
// hand: a crossing's two junctions become one place, spurs and the narrower of two parallel tracks are no vessel,
// ports pair by straightness within one class, pairings chain, a chain counts only where its run in the zone crosses
// the middle circle, and a branch inside the zone is measured on its trunk unless the trunk is too short there.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { HandGraph, polar } from './zone-graph.js';
import { dropParallelTracks, joinPlaces } from '../../../shared/measure/zone-places.js';
import { chainsOf, pairStraightest, portsAtPlaces, type Port } from '../../../shared/measure/zone-pairing.js';
import {
  assignTrunks,
  coursesThroughZone,
  releaseShortTrunks,
  runsAcrossMiddle,
  type ZoneRing,
} from '../../../shared/measure/zone-courses.js';
import { zoneVessels } from '../../../shared/measure/zones.js';
import type { VesselSegment } from '../../../shared/measure/vessel-graph.js';

const followed = (internal: Uint8Array) => (s: VesselSegment) => !!s.av && !internal[s.id] && s.from !== s.to;

describe('places', () => {
  /** Two junctions `gap` px apart on a horizontal line, each with two vessels `width` wide leaving it. */
  function twoJunctions(gap: number, width: number, bridge = false) {
    const g = new HandGraph();
    const a = g.node('junction', { x: 100, y: 100 });
    const b = g.node('junction', { x: 100 + gap, y: 100 });
    const piece = g.segment(a, b, width, 'artery', bridge);
    for (const [at, dx] of [
      [a, -40],
      [b, 40],
    ])
      for (const dy of [-30, 30]) {
        const end = g.node('end', { x: g.nodes[at].x + dx, y: 100 + dy });
        g.segment(at, end, width, 'artery');
      }
    return { g, a, b, piece };
  }

  test("a piece shorter than twice the widest vessel meeting there is inside one crossing; a longer one isn't", () => {
    const near = twoJunctions(8, 5);
    const p = joinPlaces(near.g.segments, near.g.nodes, 0);
    assert.equal(p.of(near.a), p.of(near.b));
    assert.equal(p.internal[near.piece], 1);

    const far = twoJunctions(12, 5);
    const q = joinPlaces(far.g.segments, far.g.nodes, 0);
    assert.notEqual(q.of(far.a), q.of(far.b));
    assert.equal(q.internal[far.piece], 0);
  });

  test('a bridge joins its junctions however long it is', () => {
    const { g, a, b, piece } = twoJunctions(30, 5, true);
    const p = joinPlaces(g.segments, g.nodes, 0);
    assert.equal(p.of(a), p.of(b));
    assert.equal(p.internal[piece], 1);
  });

  test('a short dead end is a spur; a long one is a vessel; an end node has no place', () => {
    const g = new HandGraph();
    const j = g.node('junction', { x: 50, y: 50 });
    const vessel = g.segment(j, g.node('end', { x: 10, y: 50 }), 6, 'vein');
    const spur = g.segment(j, g.node('end', { x: 50, y: 40 }), 6, 'vein');
    const p = joinPlaces(g.segments, g.nodes, 0);
    assert.equal(p.internal[spur], 1);
    assert.equal(p.internal[vessel], 0);
    assert.equal(p.of(g.segments[vessel].to), null);
    assert.equal(p.of(j), j);
  });

  test('of two tracks of one class between the same places the narrower is dropped; another class stays', () => {
    const g = new HandGraph();
    const a = g.node('junction', { x: 0, y: 0 });
    const b = g.node('junction', { x: 60, y: 0 });
    const narrow = g.segment(a, b, 4, 'artery');
    const wide = g.segment(b, a, 6, 'artery');
    const vein = g.segment(a, b, 3, 'vein');
    const places = joinPlaces(g.segments, g.nodes, 0);
    dropParallelTracks(g.segments, places, 0);
    assert.equal(places.internal[narrow], 1);
    assert.equal(places.internal[wide], 0);
    assert.equal(places.internal[vein], 0);
  });
});

describe('pairing', () => {
  const dir = (deg: number) => ({ x: Math.cos((deg * Math.PI) / 180), y: Math.sin((deg * Math.PI) / 180) });
  const port = (seg: number, deg: number): Port => ({ seg, end: 0, dir: dir(deg) });

  test("a parent continues into its straighter daughter; a vessel of the other class isn't taken however straight", () => {
    // Ports point away from the place: the parent comes from the west (180), daughters leave at -45 and 20 degrees, a
    // vein crosses straight through (from 170 to -10).
    const classes = ['artery', 'artery', 'artery', 'vein', 'vein'] as const;
    const ports = [port(0, 180), port(1, -45), port(2, 20), port(3, 170), port(4, -10)];
    const partner = pairStraightest([ports], (seg) => classes[seg]);
    assert.equal(partner.get('0:0')?.seg, 2);
    assert.equal(partner.get('2:0')?.seg, 0);
    assert.equal(partner.get('1:0'), undefined);
    assert.equal(partner.get('3:0')?.seg, 4);
  });

  test('a turn of more than 60 degrees ends the vessel', () => {
    // Leaving at 61 degrees off the parent's line, then at 59.
    const partner = pairStraightest([[port(0, 180), port(1, 61)]], () => 'artery');
    assert.equal(partner.size, 0);
    const straighter = pairStraightest([[port(0, 180), port(1, 59)]], () => 'artery');
    assert.equal(straighter.size, 2);
  });

  test('segments chain through their pairings, each run in the chain direction', () => {
    // West to east: 0 runs east, 1 is drawn backwards (east to west), 2 runs east; a vein crosses at the first place,
    // drawn north to south in two pieces, 4 then 3.
    const g = new HandGraph();
    const w = g.node('end', { x: 0, y: 0 });
    const p = g.node('junction', { x: 40, y: 0 });
    const q = g.node('junction', { x: 80, y: 0 });
    const e = g.node('end', { x: 120, y: 0 });
    g.segment(w, p, 5, 'artery');
    g.segment(q, p, 5, 'artery');
    g.segment(q, e, 5, 'artery');
    g.segment(p, g.node('end', { x: 40, y: 40 }), 5, 'vein');
    g.segment(g.node('end', { x: 40, y: -40 }), p, 5, 'vein');
    const places = joinPlaces(g.segments, g.nodes, 0);
    const isFollowed = followed(places.internal);
    const ports = portsAtPlaces(g.segments, places, isFollowed, 10);
    assert.deepEqual(
      [...ports.get(p)!].map((x) => `${x.seg}:${x.end}`),
      ['0:1', '1:1', '3:0', '4:1'],
    );
    const partner = pairStraightest(ports.values(), (seg) => g.segments[seg].av);
    assert.deepEqual(chainsOf(g.segments, isFollowed, partner), [
      [
        { seg: 0, reversed: false },
        { seg: 1, reversed: true },
        { seg: 2, reversed: false },
      ],
      [
        { seg: 4, reversed: false },
        { seg: 3, reversed: false },
      ],
    ]);
  });
});

describe('courses', () => {
  const ring: ZoneRing = { x: 0, y: 0, inner: 100, outer: 150, middle: 125 };

  test('a run counts only inside the zone and across its middle circle', () => {
    const radii = [90, 105, 120, 130, 140, 160, 140, 130, 120, 115, 160, 105, 110, 120, 200, 110, 130];
    assert.deepEqual(
      runsAcrossMiddle(
        radii.map((r) => ({ r })),
        ring,
      ),
      [
        [1, 4],
        [6, 9],
        [15, 16],
      ],
    );
  });

  /**
   * An artery from the disc (r 60) to a fork at `forkR`, continuing straight (10 degrees) to r 300 and with a side
   * branch at 50 degrees: both cross the middle circle (zone B of a disc 100 px across).
   */
  function fork(forkR: number) {
    const g = new HandGraph();
    const centre = { x: 0, y: 0 };
    const start = g.node('end', polar(centre, 60, 0));
    const at = g.node('junction', polar(centre, forkR, 0));
    const atPoint = g.nodes[at];
    const trunk = g.segment(start, at, 6, 'artery');
    const straight = g.segment(at, g.node('end', polar(atPoint, 250, (10 * Math.PI) / 180)), 6, 'artery');
    const side = g.segment(at, g.node('end', polar(atPoint, 250, (-50 * Math.PI) / 180)), 4, 'artery');
    return { g, trunk, straight, side, disc: { x: 0, y: 0, diameter: 100 } };
  }

  function steps(g: HandGraph) {
    const places = joinPlaces(g.segments, g.nodes, 0);
    const isFollowed = followed(places.internal);
    const ports = portsAtPlaces(g.segments, places, isFollowed, 10);
    const partner = pairStraightest(ports.values(), (seg) => g.segments[seg].av);
    const courses = coursesThroughZone(
      chainsOf(g.segments, isFollowed, partner),
      g.segments,
      g.nodes,
      places,
      ring,
    );
    return { places, courses };
  }

  test('a branch leaving inside the zone is matched to its trunk, whose measured part ends at the fork', () => {
    const { g, trunk, side, disc } = fork(114);
    const { places, courses } = steps(g);
    assert.equal(courses.length, 2);
    const [main, branch] = courses;
    assert.deepEqual(
      main.chain.map((s) => s.seg),
      [trunk, 1],
    );
    assert.equal(main.branchOf, null);
    assert.deepEqual(
      branch.chain.map((s) => s.seg),
      [side],
    );
    assert.equal(branch.branchOf, places.of(g.segments[side].from));
    const trunkOf = assignTrunks(courses, g.segments, places);
    assert.equal(trunkOf.get(branch), main);
    assert.equal(main.trunkStop, main.stepStart[1]);
    assert.ok(main.points[main.trunkStop! - 1].r <= 114);

    const [vessel, ...rest] = zoneVessels(g.segments, g.nodes, disc, 'B', 0);
    assert.equal(rest.length, 0, 'the branch is not a vessel of its own');
    assert.deepEqual(vessel.width, [6]);
    assert.deepEqual(vessel.segments, [trunk, 1]);
  });

  test('a trunk too short to measure in the zone lets its branches count as vessels', () => {
    const { g, side, disc } = fork(101);
    const { places, courses } = steps(g);
    const [main, branch] = courses;
    const trunkOf = assignTrunks(courses, g.segments, places);
    assert.equal(trunkOf.get(branch), main);
    const asked: [number, number][] = [];
    releaseShortTrunks(courses, trunkOf, (_, range) => {
      asked.push(range);
      return false;
    });
    assert.deepEqual(
      asked,
      [[main.start, main.stepStart[1] - 1]],
      'only the trunk is asked, on its part up to the fork',
    );
    assert.equal(main.trunkStop, null);
    assert.equal(trunkOf.size, 0);

    const vessels = zoneVessels(g.segments, g.nodes, disc, 'B', 0);
    assert.deepEqual(
      vessels.map((v) => v.width[0]),
      [6, 4],
    );
    assert.ok(vessels[1].segments.includes(side));
  });

  test('a vessel too short to measure in the zone is measured on its nearest clear stretch outside it, not dropped', () => {
    // A venule straight out from the disc whose profiles in the zone (r 100 to 150) all run into a junction but two;
    // clear again from r 152, 7 px wide to r 170 and 20 px beyond (another vessel, say).
    const vessel = (clearFrom: number) => {
      const g = new HandGraph();
      const seg = g.segment(g.node('end', { x: 60, y: 0 }), g.node('end', { x: 300, y: 0 }), 7, 'vein');
      for (const p of g.segments[seg].points)
        p.widths[0] = p.x >= 100 && p.x < clearFrom && p.x !== 120 && p.x !== 121 ? NaN : p.x > 170 ? 20 : 7;
      return zoneVessels(g.segments, g.nodes, { x: 0, y: 0, diameter: 100 }, 'B', 0);
    };
    const [measured, ...rest] = vessel(152);
    assert.equal(rest.length, 0);
    assert.deepEqual(
      measured.width,
      [7],
      'on the few points past the outer circle it needs, not the wider beyond',
    );
    assert.ok(measured.x > 120 && measured.x < 130, 'named where it crosses the middle circle');
    assert.deepEqual(vessel(176), [], 'no further than a quarter disc diameter past the zone');
  });

  test('a vessel crossing the zone twice is matched to a branch only on the run that passes the fork', () => {
    // A straight artery along y = 80 passes inside the inner circle (r 80 at x = 0), so it crosses the zone twice:
    // one chain, two courses. A branch leaves it at x = 70 (r 106, inside the zone) and crosses the middle circle.
    const g = new HandGraph();
    const fork = g.node('junction', { x: 70, y: 80 });
    g.segment(g.node('end', { x: -200, y: 80 }), fork, 6, 'artery');
    g.segment(fork, g.node('end', { x: 200, y: 80 }), 6, 'artery');
    const side = g.segment(fork, g.node('end', { x: 130, y: 180 }), 4, 'artery');
    const { places, courses } = steps(g);
    assert.equal(courses.length, 3);
    const [first, second, branch] = courses;
    assert.equal(first.chain, second.chain, 'both runs are of one chain');
    assert.ok(first.points[first.start].x < 0 && second.points[second.start].x > 0);
    assert.deepEqual(
      branch.chain.map((st) => st.seg),
      [side],
    );
    assert.equal(branch.branchOf, places.of(fork));
    const trunkOf = assignTrunks(courses, g.segments, places);
    assert.equal(trunkOf.get(branch), second);
    assert.equal(first.trunkStop, null, 'the run on the other side of the disc does not pass the fork');
    assert.equal(second.trunkStop, second.stepStart[1]);
  });

  test('a branch whose junction lies outside the zone is a vessel of its own', () => {
    // The smoothed centreline starts a little off its node: here the side branch's first point is inside the zone
    // (r 114) but its junction is not (moved to r 98).
    const { g, disc } = fork(114);
    const at = g.segments[2].from;
    g.nodes[at].x = 98;
    const { courses } = steps(g);
    assert.equal(courses.length, 2);
    assert.equal(courses[1].branchOf, null);
    assert.deepEqual(
      zoneVessels(g.segments, g.nodes, disc, 'B', 0).map((v) => v.width[0]),
      [6, 4],
    );
  });
});
