// The later visit's CRAE and CRVE over the first visit's own six vessels (the same vessels measured again), in
// words, or which of them were not found again: shared by the comparison view and the report.
import type { VisitComparison } from './compare-visits.js';
import { formatMeasure } from './measure-table.js';
import type { MeasureUnit } from './measures.js';

/** `unit`: the later visit's length unit (its widths are in it). Empty when the visits could not be registered. */
export function sameVesselsText(c: VisitComparison, unit: MeasureUnit): string[] {
  if (!c.registration) return [];
  const { vessels, sameVessels } = c;
  return (
    [
      ['CRAE', 'arterioles', vessels.arteries, sameVessels.crae],
      ['CRVE', 'venules', vessels.veins, sameVessels.crve],
    ] as const
  ).map(([name, kind, matches, value]) => {
    if (value !== null)
      return `${name} over the same six ${kind} at the later visit: ${formatMeasure({ value, unit, ci95: null })}`;
    const missing = matches.filter((m) => !m.b).map((m) => m.a.name);
    return `${name} over the same ${kind}: not all found again at the later visit (missing ${missing.join(', ') || 'some'})`;
  });
}
