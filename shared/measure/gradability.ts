// An ungradable photograph's measures withheld, each with the verdict's reason (gradability-verdict.ts judges; kept
// apart so that measures.ts and measure-table.ts, which the verdict's types and wording serve, import no cycle).
import type { ImageMeasures, Measure } from './measures.js';
import { MEASURE_ROWS } from './measure-table.js';
import { ungradableReason, type Gradability } from './gradability-verdict.js';

export {
  GRADABILITY_LIMITS,
  gradabilityLine,
  judgeGradability,
  ungradableReason,
  type Gradability,
  type QualityEvidence,
} from './gradability-verdict.js';

/**
 * The measures with the verdict attached; an ungradable photograph's every vessel measure absent with the reason
 * (its named zone vessels too: they are widths), the disc and the graph's counts kept as what was found.
 */
export function withGradability(m: ImageMeasures, q: Gradability): ImageMeasures {
  if (q.gradable) return { ...m, quality: q };
  const reason = ungradableReason(q);
  const out: ImageMeasures = {
    ...m,
    quality: q,
    zoneVessels: { B: { arteries: [], veins: [] }, C: { arteries: [], veins: [] } },
    zoneCandidates: { B: { arteries: [], veins: [] }, C: { arteries: [], veins: [] } },
  };
  for (const row of MEASURE_ROWS) {
    const withheld: Measure = { value: null, unit: m[row.key].unit, ci95: null, reason };
    out[row.key] = withheld;
  }
  return out;
}
