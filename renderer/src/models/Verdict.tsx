// The promotion gate's verdict in words: better, not clearly better, or not judged at all; the F1 change (or an
// anatomy task's gain) with its 95% interval against the margin, how many held-out images (and independent groups
// of them) it was judged on, the benchmark, and what would help.
import type { PromotionVerdict } from '../../../shared/contract.js';

const signed = (x: number): string => `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(3)}`;

function headline(v: PromotionVerdict): string {
  if (!v.judged) return 'Not judged: too few corrected images';
  if (v.better) return v.promoted ? 'Better: promoted' : 'Better';
  return v.promoted ? 'Not clearly better (promoted anyway)' : 'Not clearly better: the active model stays';
}

export function Verdict({
  verdict: v,
  heldOut,
  gain = 'F1 change',
}: {
  verdict: PromotionVerdict;
  heldOut: number;
  /** What the per-image gain is called (an anatomy task's measure instead of F1). */
  gain?: string;
}) {
  const tone = !v.judged ? 'notice' : v.better ? 'up' : 'down';
  return (
    <div
      className={`verdict ${tone}`}
      data-testid="decision"
      data-judged={String(v.judged)}
      data-better={String(v.better)}
    >
      <strong data-testid="verdict-headline">{headline(v)}</strong>
      <div data-testid="verdict-reason">{v.reason}</div>
      <ul className="verdict-facts">
        <li data-testid="verdict-usable">
          Judged on {v.usableImages} of {heldOut} held-out image{heldOut === 1 ? '' : 's'} (those a person
          corrected or that came from a dataset)
          {v.usableGroups !== undefined && v.usableGroups < v.usableImages && (
            <>
              {' '}
              in {v.usableGroups} independent group{v.usableGroups === 1 ? '' : 's'}: other visits of one eye
              and copies of one photograph count once, as their mean
            </>
          )}
        </li>
        {v.delta && (
          <li data-testid="verdict-interval">
            {gain} {signed(v.delta.mean)}, 95% interval {signed(v.delta.low)} to {signed(v.delta.high)};
            promoted only when the lower end is above {signed(v.delta.margin)}
          </li>
        )}
        {v.benchmarkDelta !== null && (
          <li>Benchmark F1 change {signed(v.benchmarkDelta)} (more than 0.010 worse blocks a promotion)</li>
        )}
      </ul>
      {v.advice && (
        <div className="verdict-advice" data-testid="verdict-advice">
          {v.advice}
        </div>
      )}
    </div>
  );
}
