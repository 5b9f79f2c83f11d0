// Panel section "Prediction": which prediction (per-image version, model) and the probability threshold slider.
// Dragging previews (one undo step per drag); releasing commits.
import type { MaskDocument } from './maskDocument.js';
import type { PredictionInfo } from './useViewerDocument.js';

export interface ThresholdControlProps {
  doc: MaskDocument | null;
  prediction: PredictionInfo | null;
  threshold: number;
  setThreshold: (t: number) => void;
}

export function ThresholdControl({ doc, prediction, threshold, setThreshold }: ThresholdControlProps) {
  return (
    <>
      <h4>Prediction</h4>
      {prediction && (
        <span className="muted small" data-testid="prediction-version">
          Version {prediction.version}
          {prediction.modelName ? ` · ${prediction.modelName}` : ''}
        </span>
      )}
      {doc?.hasPrediction ? (
        <label>
          Threshold {threshold.toFixed(2)}
          <input
            type="range"
            min={0.01}
            max={0.99}
            step={0.01}
            value={threshold}
            disabled={!doc.canThreshold}
            data-testid="threshold"
            onChange={(e) => {
              const t = Number(e.target.value);
              setThreshold(t);
              doc.setThreshold(t, false);
            }}
            onPointerUp={() => doc.commit()}
            onKeyUp={() => doc.commit()}
            onBlur={() => doc.commit()}
          />
          {!doc.followsPrediction && (
            <span className="muted small">
              Saved corrections are kept; the slider moves the prediction (see Difference).
            </span>
          )}
        </label>
      ) : (
        <p className="muted small">No prediction yet.</p>
      )}
    </>
  );
}
