// Panel section "Uncertainty": the heat map's toggle (U), "next uncertain region" (N), and the prediction's
// quality estimate.
import { formatExpectedF1, formatMeanUncertainty } from '../review/qualityLabel.js';
import { NO_PREDICTION, type Uncertainty } from './useUncertainty.js';

const STATE_NOTES = {
  idle: '',
  loading: 'Loading the uncertainty map…',
  ready: '',
  none: 'No uncertainty map for this prediction',
  error: 'The uncertainty map could not be loaded',
} as const;

export function UncertaintyControls({ u, hasPrediction }: { u: Uncertainty; hasPrediction: boolean }) {
  const q = u.quality;
  return (
    <>
      <h4>Uncertainty</h4>
      <button
        aria-pressed={u.shown}
        className={u.shown ? 'on' : ''}
        disabled={!hasPrediction}
        onClick={u.toggle}
        data-testid="toggle-uncertainty"
        title={
          hasPrediction
            ? 'Where the model is likely wrong: warmer is less certain; rings mark likely gaps'
            : NO_PREDICTION
        }
      >
        Heat map &amp; gaps <kbd>U</kbd>
      </button>
      <button
        disabled={!hasPrediction}
        onClick={u.next}
        data-testid="next-uncertain"
        title={
          hasPrediction ? 'Move to the next most uncertain region not yet edited or visited' : NO_PREDICTION
        }
      >
        Next uncertain region <kbd>N</kbd>
      </button>
      {u.region && (
        <span className="muted small" data-testid="uncertain-region">
          Region {u.region.rank} of {u.region.count}
        </span>
      )}
      {q && (
        <span className="muted small">
          Expected F1 {formatExpectedF1(q)} · uncertain {formatMeanUncertainty(q)} · {q.gaps} likely gap(s) ·{' '}
          {q.fragments} fragment(s)
        </span>
      )}
      {STATE_NOTES[u.state] && <span className="muted small">{STATE_NOTES[u.state]}</span>}
    </>
  );
}
