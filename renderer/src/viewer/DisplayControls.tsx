// Panel section "Display": filters for looking at the photograph (never the mask): green channel, CLAHE,
// contrast and brightness.
import type { DisplayImage } from './useDisplayImage.js';

export function DisplayControls({ filter, setFilter }: Pick<DisplayImage, 'filter' | 'setFilter'>) {
  return (
    <>
      <h4>Display</h4>
      <label className="check">
        <input
          type="checkbox"
          checked={filter.greenOnly}
          onChange={(e) => setFilter({ ...filter, greenOnly: e.target.checked })}
        />
        Green channel <kbd>G</kbd>
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={!!filter.clahe}
          onChange={(e) => setFilter({ ...filter, clahe: e.target.checked })}
          data-testid="clahe"
        />
        CLAHE (green) <kbd>C</kbd>
      </label>
      <label>
        Contrast {filter.contrast.toFixed(1)}
        <input
          type="range"
          min={0.5}
          max={4}
          step={0.1}
          value={filter.contrast}
          onChange={(e) => setFilter({ ...filter, contrast: Number(e.target.value) })}
        />
      </label>
      <label>
        Brightness {filter.brightness}
        <input
          type="range"
          min={-100}
          max={100}
          step={5}
          value={filter.brightness}
          onChange={(e) => setFilter({ ...filter, brightness: Number(e.target.value) })}
        />
      </label>
    </>
  );
}
