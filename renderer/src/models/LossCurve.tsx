// The training loss of every step as a small SVG line (smoothed), with the validation F1 of each epoch as dots.

const W = 460;
const H = 120;

function smooth(values: number[], k = 0.8): number[] {
  let s = values[0] ?? 0;
  return values.map((v) => (s = k * s + (1 - k) * v));
}

export function LossCurve({
  losses,
  validation,
  totalSteps,
}: {
  losses: number[];
  validation: { epoch: number; valF1: number }[];
  totalSteps: number;
}) {
  const steps = Math.max(totalSteps, losses.length, 2);
  const line = smooth(losses);
  const max = Math.max(...line, 1e-6);
  const min = Math.min(...line, max);
  const span = Math.max(max - min, 1e-6);
  const x = (i: number) => (i / (steps - 1)) * (W - 8) + 4;
  const y = (v: number) => H - 6 - ((v - min) / span) * (H - 12);
  const epochs = validation.length > 0 ? Math.max(...validation.map((v) => v.epoch)) : 0;
  const perEpoch = epochs > 0 ? steps / Math.max(epochs, validation.length) : 0;
  return (
    <svg className="loss-curve" width={W} height={H} data-testid="loss-curve" data-points={losses.length}>
      <rect x={0} y={0} width={W} height={H} className="plot-bg" />
      {line.length > 1 && (
        <polyline
          className="loss"
          points={line.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}
        />
      )}
      {validation.map((v) => (
        <circle
          key={v.epoch}
          className="valf1"
          cx={x(Math.min(steps - 1, v.epoch * perEpoch - 1))}
          cy={H - 6 - v.valF1 * (H - 12)}
          r={3.5}
        >
          <title>{`epoch ${v.epoch}: validation F1 ${v.valF1.toFixed(3)}`}</title>
        </circle>
      ))}
      <text x={6} y={14} className="plot-label">
        loss {losses.length > 0 ? losses[losses.length - 1].toFixed(3) : '–'}
      </text>
      {validation.length > 0 && (
        <text x={W - 6} y={14} className="plot-label f1" textAnchor="end">
          val F1 {validation[validation.length - 1].valF1.toFixed(3)}
        </text>
      )}
    </svg>
  );
}
