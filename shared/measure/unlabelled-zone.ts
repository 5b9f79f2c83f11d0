// Vessel pixels in zone C (which holds zone B) that carry no artery/vein label: a mask corrected after the labelling
// (vessels drawn in with the plain brush) has them. CRAE and CRVE cannot count such a vessel, so the values would
// leave it out without a word; the note says so.
import { zoneRadii, type Disc } from './zones.js';
import { AV_CLASS } from '../vessel-segments.js';

/** Above this share of the zone's vessel pixels unlabelled, the note is given (a few edge pixels are noise). */
const NOTE_SHARE = 0.02;

/** The share of the zone's vessel pixels with no artery/vein label (0 when the zone holds none). */
export function unlabelledZoneShare(
  mask: Uint8Array,
  av: Uint8Array,
  width: number,
  height: number,
  disc: Disc,
): number {
  const { inner, outer } = zoneRadii(disc, 'C');
  let vessel = 0;
  let unlabelled = 0;
  const y0 = Math.max(0, Math.floor(disc.y - outer));
  const y1 = Math.min(height - 1, Math.ceil(disc.y + outer));
  for (let y = y0; y <= y1; y++) {
    const dy = y - disc.y;
    const half = Math.sqrt(Math.max(0, outer * outer - dy * dy));
    const x0 = Math.max(0, Math.floor(disc.x - half));
    const x1 = Math.min(width - 1, Math.ceil(disc.x + half));
    for (let x = x0; x <= x1; x++) {
      const i = y * width + x;
      if (!mask[i]) continue;
      const r = Math.hypot(x - disc.x, dy);
      if (r < inner || r > outer) continue;
      vessel++;
      if (av[i] !== AV_CLASS.artery && av[i] !== AV_CLASS.vein) unlabelled++;
    }
  }
  return vessel === 0 ? 0 : unlabelled / vessel;
}

/** The note for a share worth one, else null. */
export function unlabelledZoneNote(share: number): string | null {
  if (share <= NOTE_SHARE) return null;
  return (
    `${Math.round(share * 100)}% of the vessel pixels around the disc (zones B and C) have no artery/vein label ` +
    '(drawn after the labelling?): CRAE, CRVE and AVR leave those vessels out. Label them artery or vein to count them.'
  );
}
