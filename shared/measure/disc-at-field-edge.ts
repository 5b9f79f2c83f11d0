// Whether the field's edge cuts the optic disc. The disc's diameter is the unit of every length when the pixel size
// is unknown and places zones B and C, so a disc seen only in part (its diameter too small) makes those measures
// unreliable. Pure: the anatomy engine flags the disc it found, the measures the disc they were given (which in the
// app may be one a person dragged).

/** Points sampled on the ring just outside the disc margin, and the share of them that may lie off the field. */
const EDGE_RING_POINTS = 64;
const EDGE_RING_RADIUS = 0.6;
const EDGE_SHARE = 1 / 8;

/** What the measures say when the disc they used is cut off. */
export const DISC_AT_FIELD_EDGE_NOTE =
  "The optic disc is cut off by the field's edge: its diameter may be too small, so values in disc diameters and " +
  'the zone measures (CRAE, CRVE, AVR) may be wrong.';

/**
 * Whether the field's edge cuts the disc: more than an eighth of a ring just outside its margin (0.6 disc diameters
 * from the centre) lies outside the field of view or the photograph. The network then sees only the part inside,
 * so the diameter (and every measure in disc diameters) comes out too small. Without `data` the field is the whole
 * photograph.
 */
export function discAtFieldEdge(
  disc: { x: number; y: number; diameter: number },
  fov: { width: number; height: number; data?: Uint8Array },
): boolean {
  let off = 0;
  for (let k = 0; k < EDGE_RING_POINTS; k++) {
    const a = (2 * Math.PI * k) / EDGE_RING_POINTS;
    const x = Math.round(disc.x + EDGE_RING_RADIUS * disc.diameter * Math.cos(a));
    const y = Math.round(disc.y + EDGE_RING_RADIUS * disc.diameter * Math.sin(a));
    const inPhoto = x >= 0 && y >= 0 && x < fov.width && y < fov.height;
    if (!inPhoto || (fov.data && fov.data[y * fov.width + x] === 0)) off++;
  }
  return off > EDGE_SHARE * EDGE_RING_POINTS;
}
