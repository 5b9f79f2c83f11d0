// The viewer's left column: editing tools and brush size, undo/redo, the island/hole clean-up and help. On an
// approved image (locked) only panning and help work: editing starts with "Reopen for editing". The artery/vein
// section toggles the A/V layer and holds the label tools, or says why the image has no artery/vein map.
import type { Action } from './keymap.js';
import type { Tool } from './MaskCanvas.js';
import { MAX_BRUSH_RADIUS, type ToolSettings } from './useToolSettings.js';

const TOOLS: [Tool, string, string][] = [
  ['brush', 'Brush', 'B'],
  ['eraser', 'Eraser', 'E'],
  ['fill', 'Fill', 'F'],
  ['lasso', 'Lasso', 'L'],
  ['pan', 'Pan', 'M'],
];

/** Tool, button text, key, and the longer name its title and accessible name give. */
const AV_TOOL_BUTTONS: [Tool, string, string, string][] = [
  ['artery', 'Artery', 'R', 'Artery'],
  ['vein', 'Vein', '⇧R', 'Vein'],
  ['flip', 'Flip', 'X', 'Flip segment'],
  ['flipVessel', 'Vessel', '⇧X', 'Flip vessel'],
];

const DISC_TOOL_NAME = 'Place or size the optic disc; Alt+click: the fovea; Delete removes the disc';

/** The artery/vein layer as the toolbar shows it. */
export interface AvState {
  shown: boolean;
  /** The image has an artery/vein map. */
  available: boolean;
  /** Why it has none (null when it has one). */
  note: string | null;
}

export interface ToolBarProps {
  tools: ToolSettings;
  canUndo: boolean;
  canRedo: boolean;
  /** The image is approved: every editing control is disabled. */
  locked: boolean;
  run: (action: Action) => void;
  av: AvState;
  /** The Measurements panel is open. */
  measurements: boolean;
}

const LOCKED_TITLE = 'Approved: reopen it for editing first';

export function ToolBar({ tools, canUndo, canRedo, locked, run, av, measurements }: ToolBarProps) {
  const { tool, setTool, radius, setRadius, islandSize, setIslandSize } = tools;
  const shown = locked ? 'pan' : tool;
  return (
    <aside className="tools">
      {TOOLS.map(([t, label, k]) => (
        <button
          key={t}
          className={shown === t ? 'on' : ''}
          aria-pressed={shown === t}
          onClick={() => setTool(t)}
          disabled={locked && t !== 'pan'}
          title={locked && t !== 'pan' ? LOCKED_TITLE : `${label} (${k})`}
          data-testid={`tool-${t}`}
        >
          {label}
          <kbd>{k}</kbd>
        </button>
      ))}
      <hr />
      {/* Two to a row, so that the column still fits a 1280x720 window; the keys are in the titles and in Help. */}
      <div className="tool-row">
        <button
          className={av.shown ? 'on' : ''}
          onClick={() => run('toggleAv')}
          disabled={!av.available}
          aria-pressed={av.shown}
          aria-label="Artery/vein layer"
          title={av.note ?? 'Colour the mask artery red / vein blue, with the disc and fovea markers (V)'}
          data-testid="toggle-av"
        >
          A/V layer
        </button>
        <button
          className={shown === 'disc' ? 'on' : ''}
          aria-pressed={shown === 'disc'}
          onClick={() => run('disc')}
          disabled={locked || !av.available}
          aria-label={`${DISC_TOOL_NAME} (⇧D)`}
          title={locked ? LOCKED_TITLE : (av.note ?? `${DISC_TOOL_NAME} (⇧D)`)}
          data-testid="tool-disc"
        >
          Disc
        </button>
      </div>
      <div className="tool-row" role="group" aria-label="Artery/vein tools">
        {AV_TOOL_BUTTONS.map(([t, label, k, name]) => (
          <button
            key={t}
            className={shown === t ? 'on' : ''}
            aria-pressed={shown === t}
            onClick={() => run(t)}
            disabled={locked || !av.available}
            aria-label={`${name} (${k})`}
            title={locked ? LOCKED_TITLE : (av.note ?? `${name} (${k})`)}
            data-testid={`tool-${t}`}
          >
            {label}
          </button>
        ))}
      </div>
      <label>
        Size {radius * 2} px
        <input
          type="range"
          min={1}
          max={MAX_BRUSH_RADIUS * 2}
          step={1}
          value={radius * 2}
          disabled={locked}
          onChange={(e) => setRadius(Number(e.target.value) / 2)}
        />
      </label>
      <hr />
      <button disabled={locked || !canUndo} onClick={() => run('undo')} data-testid="undo">
        Undo <kbd>Ctrl+Z</kbd>
      </button>
      <button disabled={locked || !canRedo} onClick={() => run('redo')} data-testid="redo">
        Redo <kbd>Ctrl+⇧+Z</kbd>
      </button>
      <hr />
      <label>
        N (px)
        <input
          type="number"
          min={1}
          max={100000}
          value={islandSize}
          disabled={locked}
          onChange={(e) => setIslandSize(Math.max(1, Number(e.target.value) || 1))}
        />
      </label>
      <button onClick={() => run('islands')} disabled={locked} data-testid="islands">
        Remove islands &lt; N <kbd>I</kbd>
      </button>
      <button onClick={() => run('holes')} disabled={locked} data-testid="holes">
        Fill holes ≤ N <kbd>⇧F</kbd>
      </button>
      <hr />
      {/* Looking, not editing: available on an approved image too. */}
      <button
        className={measurements ? 'on' : ''}
        onClick={() => run('measurements')}
        aria-pressed={measurements}
        aria-label="Measures (Measurements panel)"
        title="Vessel measures with 95% intervals; zones B and C and the CRAE/CRVE vessels on the image (Shift+M)"
        data-testid="toggle-measurements"
      >
        Measures
        <kbd>⇧M</kbd>
      </button>
      <button onClick={() => run('help')}>
        Help <kbd>H</kbd>
      </button>
    </aside>
  );
}
