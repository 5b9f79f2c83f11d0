// Panel section "Overlay": mask on/off, difference mode with its legend, colour and opacity.
import type { Overlay } from './useOverlay.js';

export function OverlayControls({ overlay, hasPrediction }: { overlay: Overlay; hasPrediction: boolean }) {
  const { maskVisible, setMaskVisible, diff, setDiff, colour, setColour, opacity, setOpacity } = overlay;
  return (
    <>
      <h4>Overlay</h4>
      <label className="check">
        <input
          type="checkbox"
          checked={maskVisible}
          onChange={(e) => setMaskVisible(e.target.checked)}
          data-testid="toggle-mask"
        />
        Show mask <kbd>O</kbd>
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={diff}
          disabled={!hasPrediction}
          onChange={(e) => setDiff(e.target.checked)}
          data-testid="toggle-diff"
        />
        Difference <kbd>D</kbd>
      </label>
      {diff && (
        <div className="legend">
          <span className="sw both" style={{ background: colour }} /> both <span className="sw added" /> added{' '}
          <span className="sw removed" /> removed
        </div>
      )}
      <label>
        Colour <input type="color" value={colour} onChange={(e) => setColour(e.target.value)} />
      </label>
      <label>
        Opacity {Math.round(opacity * 100)}%
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={opacity}
          onChange={(e) => setOpacity(Number(e.target.value))}
          data-testid="opacity"
        />
      </label>
    </>
  );
}
