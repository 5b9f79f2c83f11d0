// The line under the canvas: which image, where in the list, zoom, pointer readout, save state and load time.
import { useCallback, useRef, type RefObject } from 'react';
import type { SaveState } from './useAutosave.js';

const SAVE_LABELS: Record<SaveState, string> = {
  saved: 'Saved',
  pending: 'Edited',
  saving: 'Saving…',
  error: 'Save failed',
};

export interface CursorReadout {
  cursorRef: RefObject<HTMLSpanElement | null>;
  onCursor: (p: { x: number; y: number; value: number } | null) => void;
}

/** The pointer readout changes on every move: written straight into the status bar, never through React state. */
export function useCursorReadout(): CursorReadout {
  const cursorRef = useRef<HTMLSpanElement>(null);
  const onCursor = useCallback((p: { x: number; y: number; value: number } | null) => {
    const el = cursorRef.current;
    if (el) el.textContent = p ? `x ${p.x} y ${p.y} · ${p.value ? 'vessel' : 'background'}` : '';
  }, []);
  return { cursorRef, onCursor };
}

export interface StatusBarProps {
  name: string;
  /** 1-based place in the list (0 when the image is not in it). */
  position: number;
  count: number;
  scale: number;
  cursorRef: RefObject<HTMLSpanElement | null>;
  saveState: SaveState;
  status: string;
}

export function StatusBar({ name, position, count, scale, cursorRef, saveState, status }: StatusBarProps) {
  return (
    <div className="statusbar">
      <span>{name}</span>
      <span>
        {position}/{count}
      </span>
      <span data-testid="zoom">{Math.round(scale * 100)}%</span>
      <span ref={cursorRef} />
      <span className={`save ${saveState}`} data-testid="save-state">
        {SAVE_LABELS[saveState]}
      </span>
      <span className="muted">{status}</span>
    </div>
  );
}
