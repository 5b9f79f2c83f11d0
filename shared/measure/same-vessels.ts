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

/** One of the earlier visit's zone-B vessels (A1..V6) and its width at both visits, in words for a table. */
export interface VesselChangeRow {
  name: string;
  kind: 'artery' | 'vein';
  earlier: string;
  later: string;
  /** Signed change with its unit, or why there is none (not found again, units that do not compare). */
  change: string;
  /** Whether `change` is a figure (not a reason). */
  measured: boolean;
}

/**
 * Each vessel of the earlier visit's CRAE/CRVE and its width at the later visit: which vessel narrowed or widened,
 * which the summary figures cannot say. Widths carry no interval of their own, so no change is flagged. Empty when
 * the visits could not be registered (no vessel is then the same).
 */
export function vesselChangeRows(
  c: VisitComparison,
  earlierUnit: MeasureUnit,
  laterUnit: MeasureUnit,
): VesselChangeRow[] {
  if (!c.registration) return [];
  const width = (value: number, unit: MeasureUnit): string => formatMeasure({ value, unit, ci95: null });
  return (
    [
      ['artery', c.vessels.arteries],
      ['vein', c.vessels.veins],
    ] as const
  ).flatMap(([kind, matches]) =>
    matches.map((m) => ({
      name: m.a.name,
      kind,
      earlier: width(m.a.width, earlierUnit),
      later: m.b ? width(m.b.width, laterUnit) : 'not found again',
      change:
        m.change !== null
          ? `${m.change > 0 ? '+' : ''}${width(m.change, earlierUnit)}`
          : (m.reason ?? (m.b ? 'not compared' : 'not found again')),
      measured: m.change !== null,
    })),
  );
}
