// The frame every in-app dialog shares: a backdrop, an accessible modal (a form when it submits), Escape and a
// press beside it to close, and keys kept inside (the worklist and viewer behind it have single-key shortcuts).
// Focus moves into the dialog when it opens (to its autofocused control, else the dialog itself), so Escape and
// Tab reach it at once, and goes back to where it was when it closes.
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';

export interface ModalProps {
  /** The id of the dialog's heading, or its accessible name when it has none. */
  labelledBy?: string;
  label?: string;
  onClose: () => void;
  /** While false (e.g. an export is being written), Escape and a press beside it do nothing. */
  closable?: boolean;
  role?: 'dialog' | 'alertdialog';
  className?: string;
  testId?: string;
  /** Makes the dialog a form (Enter submits); the default is prevented. */
  onSubmit?: () => void;
  /** Keys of the dialog's own, besides Escape and Tab (Help closes on H and ? too). */
  onKey?: (key: string) => void;
  children: ReactNode;
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** At the dialog's last (first, with Shift) control, moves focus to its first (last); true when it did. */
function wrapsFocus(frame: HTMLElement, back: boolean): boolean {
  const controls = [...frame.querySelectorAll<HTMLElement>(FOCUSABLE)];
  if (controls.length === 0) return true; // nothing to move to: focus stays on the dialog
  const [first, last] = [controls[0], controls[controls.length - 1]];
  const at = document.activeElement;
  if (back && (at === first || at === frame)) last.focus();
  else if (!back && at === last) first.focus();
  else return false;
  return true;
}

export function Modal(props: ModalProps) {
  const { closable = true, onClose, onSubmit } = props;
  // Read while rendering, before the dialog's own autoFocus takes focus.
  const [focusedBefore] = useState(() => document.activeElement);
  const frameRef = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const frame = frameRef.current;
    if (frame && !frame.contains(document.activeElement)) frame.focus();
    return () => {
      if (focusedBefore instanceof HTMLElement && focusedBefore.isConnected) focusedBefore.focus();
    };
  }, [focusedBefore]);
  // A control that holds focus and is then disabled (the dialog's own button while its work runs) drops focus to
  // the page: taken back to the dialog, so Escape, Tab and the dialog's keys still reach it, not the page behind.
  useEffect(() => {
    const [el, at] = [frameRef.current, document.activeElement];
    if (el && (at === null || at === document.body || (el.contains(at) && at.matches(':disabled'))))
      el.focus();
  });
  const frame = {
    ref: (el: HTMLElement | null) => {
      frameRef.current = el;
    },
    tabIndex: -1,
    className: `modal${props.className ? ` ${props.className}` : ''}`,
    role: props.role ?? 'dialog',
    'aria-modal': true,
    'aria-labelledby': props.labelledBy,
    'aria-label': props.label,
    'data-testid': props.testId,
    onKeyDown: (e: {
      key: string;
      shiftKey: boolean;
      stopPropagation: () => void;
      preventDefault: () => void;
    }) => {
      e.stopPropagation();
      props.onKey?.(e.key);
      if (e.key === 'Escape' && closable) onClose();
      // Tab goes round inside the dialog: out of it, focus reached the page behind, where Escape no longer closed
      // the dialog and the shortcuts of what is behind it worked.
      else if (e.key === 'Tab' && frameRef.current && wrapsFocus(frameRef.current, e.shiftKey))
        e.preventDefault();
    },
  };
  return (
    <div
      className="modal-backdrop"
      onPointerDown={(e) => closable && e.target === e.currentTarget && onClose()}
    >
      {onSubmit ? (
        <form
          {...frame}
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            onSubmit();
          }}
        >
          {props.children}
        </form>
      ) : (
        <div {...frame}>{props.children}</div>
      )}
    </div>
  );
}
