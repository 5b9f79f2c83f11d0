// The fovea search on a disc-centred field whose macula lies beyond the aperture: the field darkens towards its rim
// (vignetting), so the darkest place of the search sector is the rim's shading. That place was reported as the
// fovea, on the rim, confident enough to decide the eye; it is now kept inside the field and marked unsure, and
// laterality is not read from it. A macula well inside the field is still found, confidently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findFovea, lateralityOf, RIM_FOVEA_CONFIDENCE } from '../../main/ml/anatomy/fovea.js';
import { LATERALITY_MIN_FOVEA_CONFIDENCE } from '../../shared/laterality.js';

const W = 240;
const H = 240;
const FIELD = { cx: 120, cy: 120, r: 110 };
const DISC = { x: 100, y: 120, diameter: 36 };

/** A round field, evenly lit except for a shading ramp over its outer 20 pixels and an optional dark macula. */
function field(macula: { x: number; y: number } | null) {
  const green = new Float32Array(W * H);
  const fov = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const fromEdge = FIELD.r - Math.hypot(x - FIELD.cx, y - FIELD.cy);
      if (fromEdge < 0) continue;
      fov[i] = 1;
      let v = 0.5 - 0.3 * Math.max(0, 1 - fromEdge / 20);
      if (macula) v -= 0.35 * Math.exp(-((x - macula.x) ** 2 + (y - macula.y) ** 2) / (2 * 10 * 10));
      green[i] = v;
    }
  }
  return { green, fov, vessels: new Uint8Array(W * H) };
}

const edgeDistance = (p: { x: number; y: number }) => FIELD.r - Math.hypot(p.x - FIELD.cx, p.y - FIELD.cy);

test('a macula beyond the field: the fovea is kept off the rim and unsure, and decides no eye', () => {
  const { green, fov, vessels } = field(null);
  const f = findFovea(green, vessels, fov, W, H, DISC, FIELD.cx, 2 * FIELD.r);
  assert.ok(f, 'a fovea estimate');
  // Its averaging box (a sixth of a disc diameter) lies wholly inside the field.
  assert.ok(
    edgeDistance(f) > DISC.diameter / 6,
    `fovea ${edgeDistance(f).toFixed(1)} px from the field's edge`,
  );
  assert.ok(f.confidence <= RIM_FOVEA_CONFIDENCE, `confidence ${f.confidence}`);
  assert.ok(RIM_FOVEA_CONFIDENCE < LATERALITY_MIN_FOVEA_CONFIDENCE);
  assert.equal(lateralityOf(DISC, f, FIELD.cx, 2 * FIELD.r), null);
});

test('a macula inside the field is found where it is, confidently', () => {
  const macula = { x: DISC.x + 2.5 * DISC.diameter, y: DISC.y + 8 };
  const { green, fov, vessels } = field(macula);
  const f = findFovea(green, vessels, fov, W, H, DISC, FIELD.cx, 2 * FIELD.r);
  assert.ok(f);
  assert.ok(Math.hypot(f.x - macula.x, f.y - macula.y) < 4, `fovea at ${f.x}, ${f.y}`);
  assert.ok(f.confidence >= LATERALITY_MIN_FOVEA_CONFIDENCE, `confidence ${f.confidence}`);
  assert.equal(lateralityOf(DISC, f, FIELD.cx, 2 * FIELD.r), 'L');
});
