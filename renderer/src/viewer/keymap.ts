// The viewer's keyboard map: one table drives both the handler and the help overlay.

export type Action =
  | 'brush'
  | 'eraser'
  | 'fill'
  | 'lasso'
  | 'pan'
  | 'smaller'
  | 'bigger'
  | 'undo'
  | 'redo'
  | 'toggleMask'
  | 'toggleDiff'
  | 'help'
  | 'next'
  | 'previous'
  | 'approve'
  | 'fit'
  | 'actual'
  | 'islands'
  | 'holes'
  | 'green'
  | 'predict'
  | 'close';

export interface Binding {
  action: Action;
  keys: string; // as shown in the help overlay
  label: string;
  match: (e: KeyboardEvent) => boolean;
}

const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;
const plain = (e: KeyboardEvent) => !e.ctrlKey && !e.metaKey && !e.altKey;
const key =
  (k: string, shift = false) =>
  (e: KeyboardEvent) =>
    plain(e) && e.shiftKey === shift && e.key.toLowerCase() === k;

export const BINDINGS: Binding[] = [
  { action: 'brush', keys: 'B', label: 'Brush', match: key('b') },
  { action: 'eraser', keys: 'E', label: 'Eraser', match: key('e') },
  { action: 'fill', keys: 'F', label: 'Flood fill (Alt+click erases)', match: key('f') },
  { action: 'lasso', keys: 'L', label: 'Lasso fill (Alt+drag erases)', match: key('l') },
  {
    action: 'pan',
    keys: 'V',
    label: 'Pan tool (or hold Space, or drag with the middle button)',
    match: key('v'),
  },
  { action: 'smaller', keys: '[', label: 'Smaller brush', match: (e) => plain(e) && e.key === '[' },
  { action: 'bigger', keys: ']', label: 'Bigger brush', match: (e) => plain(e) && e.key === ']' },
  {
    action: 'undo',
    keys: 'Ctrl+Z',
    label: 'Undo',
    match: (e) => mod(e) && !e.shiftKey && e.key.toLowerCase() === 'z',
  },
  {
    action: 'redo',
    keys: 'Ctrl+Shift+Z / Ctrl+Y',
    label: 'Redo',
    match: (e) => mod(e) && ((e.shiftKey && e.key.toLowerCase() === 'z') || e.key.toLowerCase() === 'y'),
  },
  { action: 'toggleMask', keys: 'O', label: 'Show / hide the mask overlay', match: key('o') },
  {
    action: 'toggleDiff',
    keys: 'D',
    label: 'Difference overlay (prediction vs correction)',
    match: key('d'),
  },
  { action: 'green', keys: 'G', label: 'Green channel', match: key('g') },
  { action: 'islands', keys: 'I', label: 'Remove islands smaller than N pixels', match: key('i') },
  { action: 'holes', keys: 'Shift+F', label: 'Fill holes', match: key('f', true) },
  { action: 'fit', keys: '0', label: 'Fit to window', match: (e) => plain(e) && e.key === '0' },
  { action: 'actual', keys: '1', label: 'Actual size (1:1)', match: (e) => plain(e) && e.key === '1' },
  {
    action: 'next',
    keys: '→ / ↓',
    label: 'Next image',
    match: (e) => plain(e) && (e.key === 'ArrowRight' || e.key === 'ArrowDown'),
  },
  {
    action: 'previous',
    keys: '← / ↑',
    label: 'Previous image',
    match: (e) => plain(e) && (e.key === 'ArrowLeft' || e.key === 'ArrowUp'),
  },
  { action: 'predict', keys: 'P', label: 'Predict with the active model', match: key('p') },
  { action: 'approve', keys: 'A', label: 'Approve the mask', match: key('a') },
  {
    action: 'help',
    keys: 'H / ?',
    label: 'Show / hide this help',
    match: (e) => key('h')(e) || e.key === '?',
  },
  {
    action: 'close',
    keys: 'Esc',
    label: 'Close help, cancel lasso, or back to the worklist',
    match: (e) => e.key === 'Escape',
  },
];

export function actionFor(e: KeyboardEvent): Action | null {
  return BINDINGS.find((b) => b.match(e))?.action ?? null;
}
