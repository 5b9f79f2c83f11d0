// The viewer's keyboard map: one table drives both the handler and the help overlay.

export type Action =
  | 'brush'
  | 'eraser'
  | 'fill'
  | 'lasso'
  | 'pan'
  | 'artery'
  | 'vein'
  | 'flip'
  | 'flipVessel'
  | 'disc'
  | 'removeDisc'
  | 'toggleAv'
  | 'smaller'
  | 'bigger'
  | 'undo'
  | 'redo'
  | 'toggleMask'
  | 'toggleDiff'
  | 'toggleUncertainty'
  | 'nextUncertain'
  | 'measurements'
  | 'help'
  | 'next'
  | 'previous'
  | 'approve'
  | 'fit'
  | 'actual'
  | 'islands'
  | 'holes'
  | 'green'
  | 'clahe'
  | 'predict'
  | 'close';

/** The parts of a keydown the map reads (a DOM KeyInput has them; tests pass plain objects). */
export interface KeyInput {
  key: string;
  /** The physical key ('KeyZ', 'Digit1'); read only when `key` is a letter of another script. */
  code?: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

export interface Binding {
  action: Action;
  keys: string; // as shown in the help overlay
  label: string;
  match: (e: KeyInput) => boolean;
}

const mod = (e: KeyInput) => e.ctrlKey || e.metaKey;
const plain = (e: KeyInput) => !e.ctrlKey && !e.metaKey && !e.altKey;

const LATIN_OR_DIGIT = /^[A-Za-z0-9]$/;
const OTHER_LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;
const PHYSICAL_LETTER_OR_DIGIT = /^(?:Key([A-Z])|Digit([0-9]))$/;
// The brush-size keys: on a Russian layout they type 'х' and 'ъ', so they too fall back to the physical key.
const PHYSICAL_BRACKET: Record<string, string> = { BracketLeft: '[', BracketRight: ']' };

/**
 * The key a letter or digit shortcut reads, lower case. The printed `key` comes first, so an AZERTY or Dvorak user
 * gets the letter on their key; but a letter of another script (Cyrillic 'я', Greek 'ζ', Hebrew 'ז') would match no
 * shortcut at all (Ctrl+Z undid nothing on a Russian layout), so then the physical key stands in, as in other
 * editors; so does a bracket key that types such a letter. Punctuation ('?', '&' on AZERTY's digit row) keeps its own
 * meaning.
 */
export function shortcutKey(e: KeyInput): string {
  if (LATIN_OR_DIGIT.test(e.key) || !OTHER_LETTER_OR_DIGIT.test(e.key)) return e.key.toLowerCase();
  const physical = PHYSICAL_LETTER_OR_DIGIT.exec(e.code ?? '');
  if (physical) return (physical[1] ?? physical[2]).toLowerCase();
  return PHYSICAL_BRACKET[e.code ?? ''] ?? e.key.toLowerCase();
}

const key =
  (k: string, shift = false) =>
  (e: KeyInput) =>
    plain(e) && e.shiftKey === shift && shortcutKey(e) === k;

export const BINDINGS: Binding[] = [
  { action: 'brush', keys: 'B', label: 'Brush', match: key('b') },
  { action: 'eraser', keys: 'E', label: 'Eraser', match: key('e') },
  { action: 'fill', keys: 'F', label: 'Flood fill (Alt+click erases)', match: key('f') },
  { action: 'lasso', keys: 'L', label: 'Lasso fill (Alt+drag erases)', match: key('l') },
  {
    action: 'pan',
    keys: 'M',
    label: 'Pan (move) tool (or hold Space, or drag with the middle button)',
    match: key('m'),
  },
  {
    action: 'toggleAv',
    keys: 'V',
    label:
      'Artery/vein colours (red artery, blue vein), disc and fovea markers; drag the disc centre or the fovea to move them',
    match: key('v'),
  },
  {
    action: 'artery',
    keys: 'R',
    label:
      'Artery brush: labels vessel pixels artery (Alt+click flips the segment, Shift+Alt+click the vessel)',
    match: key('r'),
  },
  {
    action: 'vein',
    keys: 'Shift+R',
    label: 'Vein brush: labels vessel pixels vein (Alt+click flips the segment, Shift+Alt+click the vessel)',
    match: key('r', true),
  },
  {
    action: 'flip',
    keys: 'X',
    label: 'Flip segment: a click swaps artery/vein for the whole vessel segment between junctions',
    match: key('x'),
  },
  {
    action: 'flipVessel',
    keys: 'Shift+X',
    label:
      'Flip vessel: a click swaps artery/vein for the whole vessel, on through branch points and crossings (Alt+click: one segment)',
    match: key('x', true),
  },
  {
    action: 'disc',
    keys: 'Shift+D',
    label:
      'Disc tool: a click centres the optic disc there (placing one where none was found), a drag from the centre or on the rim sizes it; Alt+click puts the fovea there',
    match: key('d', true),
  },
  {
    action: 'removeDisc',
    keys: 'Delete',
    label: "With the Disc tool: remove the optic disc (a false one), with the model's fovea",
    match: (e) => plain(e) && !e.shiftKey && (e.key === 'Delete' || e.key === 'Backspace'),
  },
  {
    action: 'smaller',
    keys: '[',
    label: 'Smaller brush (with the Disc tool: the disc 5% smaller)',
    match: (e) => plain(e) && shortcutKey(e) === '[',
  },
  {
    action: 'bigger',
    keys: ']',
    label: 'Bigger brush (with the Disc tool: the disc 5% bigger)',
    match: (e) => plain(e) && shortcutKey(e) === ']',
  },
  {
    action: 'undo',
    keys: 'Ctrl+Z',
    label: 'Undo',
    match: (e) => mod(e) && !e.shiftKey && shortcutKey(e) === 'z',
  },
  {
    action: 'redo',
    keys: 'Ctrl+Shift+Z / Ctrl+Y',
    label: 'Redo',
    match: (e) => mod(e) && ((e.shiftKey && shortcutKey(e) === 'z') || shortcutKey(e) === 'y'),
  },
  { action: 'toggleMask', keys: 'O', label: 'Show / hide the mask overlay', match: key('o') },
  {
    action: 'toggleDiff',
    keys: 'D',
    label: 'Difference overlay (prediction vs correction)',
    match: key('d'),
  },
  {
    action: 'toggleUncertainty',
    keys: 'U',
    label: 'Uncertainty heat map and likely gaps',
    match: key('u'),
  },
  {
    action: 'nextUncertain',
    keys: 'N',
    label: 'Next uncertain region not yet edited',
    match: key('n'),
  },
  {
    action: 'measurements',
    keys: 'Shift+M',
    label: 'Measurements panel; zones B and C and the CRAE/CRVE vessels on the image',
    match: key('m', true),
  },
  { action: 'green', keys: 'G', label: 'Green channel', match: key('g') },
  { action: 'clahe', keys: 'C', label: 'CLAHE of the green channel (local contrast)', match: key('c') },
  { action: 'islands', keys: 'I', label: 'Remove islands smaller than N pixels', match: key('i') },
  { action: 'holes', keys: 'Shift+F', label: 'Fill holes', match: key('f', true) },
  { action: 'fit', keys: '0', label: 'Fit to window', match: (e) => plain(e) && shortcutKey(e) === '0' },
  {
    action: 'actual',
    keys: '1',
    label: 'Actual size (1:1)',
    match: (e) => plain(e) && shortcutKey(e) === '1',
  },
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
  {
    action: 'approve',
    keys: 'A',
    label: 'Approve the mask and open the next image that needs work',
    match: key('a'),
  },
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

/** Actions that change the mask or pick an editing tool: none of them works on an approved (read-only) image. */
export const EDITING_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  'brush',
  'eraser',
  'fill',
  'lasso',
  'artery',
  'vein',
  'flip',
  'flipVessel',
  'disc',
  'removeDisc',
  'smaller',
  'bigger',
  'undo',
  'redo',
  'islands',
  'holes',
]);

/**
 * Whether an action is refused in the viewer's present state: editing on an approved image; and, while the Help
 * overlay is open, anything but closing it (a key read as a shortcut under the overlay approved the image unseen).
 */
export function actionRefused(action: Action, state: { locked: boolean; help: boolean }): boolean {
  if (state.help) return action !== 'help' && action !== 'close';
  return state.locked && EDITING_ACTIONS.has(action);
}

export function actionFor(e: KeyInput): Action | null {
  return BINDINGS.find((b) => b.match(e))?.action ?? null;
}

const NAVIGATION_KEYS = new Set([
  'ArrowLeft',
  'ArrowRight',
  'ArrowUp',
  'ArrowDown',
  'Home',
  'End',
  'PageUp',
  'PageDown',
]);
const KEY_DRIVEN_INPUTS = new Set([
  'range',
  'checkbox',
  'radio',
  'color',
  'button',
  'submit',
  'reset',
  'file',
]);

/** The parts of a keydown the check below reads. */
export interface KeyTarget {
  key: string;
  target: unknown;
}

/**
 * True when the focused control should get the key instead of the viewer's shortcuts: every key in a text field,
 * arrows and paging keys on sliders and other inputs (ArrowLeft on the threshold slider moves the slider, it does
 * not switch images), Space and Enter on buttons and check boxes.
 */
export function keyBelongsToControl(e: KeyTarget): boolean {
  const t = e.target as { tagName?: unknown; type?: unknown; isContentEditable?: unknown } | null;
  if (!t || typeof t.tagName !== 'string') return false;
  const tag = t.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT' || t.isContentEditable === true) return true;
  const activates = e.key === ' ' || e.key === 'Enter';
  if (tag === 'INPUT') {
    const type = typeof t.type === 'string' ? t.type.toLowerCase() : 'text';
    if (!KEY_DRIVEN_INPUTS.has(type)) return true;
    return NAVIGATION_KEYS.has(e.key) || activates;
  }
  if (tag === 'BUTTON' || tag === 'SUMMARY' || tag === 'A') return activates;
  return false;
}
