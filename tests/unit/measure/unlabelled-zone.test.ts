// Vessels around the disc with no artery/vein label (drawn into a mask after the labelling): CRAE and CRVE cannot
// count them, and the measures say so. The phantom ring of twelve labelled vessels, then one of them unlabelled.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ring } from './phantoms.js';
import { measureImage } from '../../../shared/measure/measures.js';
import { unlabelledZoneNote, unlabelledZoneShare } from '../../../shared/measure/unlabelled-zone.js';

const { ph, av, disc } = ring([5, 6, 7, 8, 9, 10], [7, 8, 9, 11, 12, 14]);

/** The labels with the vessel at the disc's right (the ring's first) left unlabelled. */
function oneUnlabelled(): Uint8Array {
  const out = Uint8Array.from(av);
  for (let y = 0; y < ph.height; y++)
    for (let x = 0; x < ph.width; x++) {
      const dx = x - disc.x;
      const dy = y - disc.y;
      if (dx > 0 && Math.abs(dy) < 0.2 * dx) out[y * ph.width + x] = 0;
    }
  return out;
}

test('a fully labelled ring: no share, no note', () => {
  assert.equal(unlabelledZoneShare(ph.mask, av, ph.width, ph.height, disc), 0);
  assert.deepEqual(measureImage({ ...ph, av, disc, draws: 20 }).notes, []);
});

test('one vessel of twelve unlabelled: its share of the zone, and the note in the measures', () => {
  const labels = oneUnlabelled();
  const share = unlabelledZoneShare(ph.mask, labels, ph.width, ph.height, disc);
  assert.ok(share > 0.03 && share < 0.2, `share ${share}`);
  const note = unlabelledZoneNote(share);
  assert.match(note ?? '', /^\d+% of the vessel pixels around the disc .* have no artery\/vein label/);
  assert.deepEqual(measureImage({ ...ph, av: labels, disc, draws: 20 }).notes, [note]);
});

test('a few unlabelled edge pixels are no reason for a note', () => {
  assert.equal(unlabelledZoneNote(0.01), null);
});
