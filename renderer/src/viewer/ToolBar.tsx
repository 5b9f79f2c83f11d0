// The viewer's left column: editing tools and brush size, undo/redo, the island/hole clean-up and help.
import type { Action } from './keymap.js';
import type { Tool } from './MaskCanvas.js';
import type { ToolSettings } from './useToolSettings.js';

const TOOLS: [Tool, string, string][] = [
  ['brush', 'Brush', 'B'],
  ['eraser', 'Eraser', 'E'],
  ['fill', 'Fill', 'F'],
  ['lasso', 'Lasso', 'L'],
  ['pan', 'Pan', 'V'],
];

export interface ToolBarProps {
  tools: ToolSettings;
  canUndo: boolean;
  canRedo: boolean;
  run: (action: Action) => void;
}

export function ToolBar({ tools, canUndo, canRedo, run }: ToolBarProps) {
  const { tool, setTool, radius, setRadius, islandSize, setIslandSize } = tools;
  return (
    <aside className="tools">
      {TOOLS.map(([t, label, k]) => (
        <button
          key={t}
          className={tool === t ? 'on' : ''}
          onClick={() => setTool(t)}
          title={`${label} (${k})`}
          data-testid={`tool-${t}`}
        >
          {label}
          <kbd>{k}</kbd>
        </button>
      ))}
      <label>
        Size {radius * 2} px
        <input
          type="range"
          min={1}
          max={80}
          step={1}
          value={radius * 2}
          onChange={(e) => setRadius(Number(e.target.value) / 2)}
        />
      </label>
      <hr />
      <button disabled={!canUndo} onClick={() => run('undo')} data-testid="undo">
        Undo <kbd>Ctrl+Z</kbd>
      </button>
      <button disabled={!canRedo} onClick={() => run('redo')} data-testid="redo">
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
          onChange={(e) => setIslandSize(Math.max(1, Number(e.target.value) || 1))}
        />
      </label>
      <button onClick={() => run('islands')} data-testid="islands">
        Remove islands &lt; N <kbd>I</kbd>
      </button>
      <button onClick={() => run('holes')} data-testid="holes">
        Fill holes ≤ N <kbd>⇧F</kbd>
      </button>
      <hr />
      <button onClick={() => run('help')}>
        Help <kbd>H</kbd>
      </button>
    </aside>
  );
}
