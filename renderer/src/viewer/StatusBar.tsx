// The line under the canvas: which image (and "ungradable" when its photograph is), where in the list, zoom,
// pointer readout, the prediction's expected F1, a word about the disc when none was found, save state and load time.
import { useCallback, useRef, type RefObject } from 'react';
import { AV_VALUES, type ImageQuality } from '../../../shared/contract.js';
import type { View } from '../editing/viewport.js';
import { formatExpectedF1 } from '../review/qualityLabel.js';
import type { SaveState } from './useAutosave.js';
import { UngradableBadge } from '../worklist/UngradableBadge.js';

const SAVE_LABELS: Record<SaveState, string> = {
  saved: 'Saved',
  pending: 'Edited',
  saving: 'Saving…',
  error: 'Save failed',
  kept: 'Not saved: kept as a draft',
};

/** The save states the status bar reads out; a failure's own alert or notice reads it out instead. */
const ANNOUNCED = new Set<SaveState>(['saved', 'pending', 'saving']);

/** The image pixel under the pointer: its mask value and, while the artery/vein layer is shown, its label. */
export interface CursorPixel {
  x: number;
  y: number;
  value: number;
  /** AV_VALUES; absent while the layer is hidden (the overlay shows no artery or vein then). */
  label?: number;
}

export interface CursorReadout {
  cursorRef: RefObject<HTMLSpanElement | null>;
  onCursor: (p: CursorPixel | null) => void;
}

/** What the pixel is, in words: the artery/vein colours are not the only way to tell them apart. */
function pixelWord(p: CursorPixel): string {
  if (!p.value) return 'background';
  if (p.label === AV_VALUES.artery) return 'artery';
  if (p.label === AV_VALUES.vein) return 'vein';
  return 'vessel';
}

/** The pointer readout changes on every move: written straight into the status bar, never through React state. */
export function useCursorReadout(): CursorReadout {
  const cursorRef = useRef<HTMLSpanElement>(null);
  const onCursor = useCallback((p: CursorPixel | null) => {
    const el = cursorRef.current;
    if (el) el.textContent = p ? `x ${p.x} y ${p.y} · ${pixelWord(p)}` : '';
  }, []);
  return { cursorRef, onCursor };
}

export interface StatusBarProps {
  name: string;
  /** 1-based place in the list (0 when the image is not in it). */
  position: number;
  count: number;
  /** The view; its position also rides on the zoom readout's data attributes (the tests read them). */
  view: View;
  cursorRef: RefObject<HTMLSpanElement | null>;
  saveState: SaveState;
  status: string;
  quality: ImageQuality | null;
  /** Why the photograph is ungradable, when its prediction judged it so. */
  ungradable?: string | null;
  /** A word about the anatomy (no disc found and how to place one, an eye the markers contradict); null for none. */
  anatomyNote?: string | null;
}

export function StatusBar(props: StatusBarProps) {
  const { name, position, count, view, cursorRef, saveState, status, quality, anatomyNote } = props;
  return (
    <div className="statusbar">
      <span>{name}</span>
      <UngradableBadge reason={props.ungradable} />
      <span data-testid="position">
        {position}/{count}
      </span>
      <span data-testid="zoom" data-scale={view.scale} data-x={view.x} data-y={view.y}>
        {Math.round(view.scale * 100)}%
      </span>
      <span ref={cursorRef} />
      {quality && (
        <span
          data-testid="expected-f1"
          data-value={quality.expectedF1}
          title="The F1 this prediction is expected to score against a careful annotator"
        >
          Expected F1 {formatExpectedF1(quality)}
        </span>
      )}
      {anatomyNote && (
        <span data-testid="anatomy-note" title={anatomyNote}>
          {anatomyNote}
        </span>
      )}
      {/* A polite live region: Edited, Saving and Saved are read out as they come. A failure is not (its text
          hidden from it): the alert, toast or notice that comes with it says so already, once. */}
      <span className={`save ${saveState}`} data-testid="save-state" role="status">
        {ANNOUNCED.has(saveState) ? (
          SAVE_LABELS[saveState]
        ) : (
          <span aria-hidden="true">{SAVE_LABELS[saveState]}</span>
        )}
      </span>
      <span className="muted">{status}</span>
    </div>
  );
}
