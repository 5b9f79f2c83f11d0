// Focus that would drop to the page's body when the element holding it leaves the page (a tray that closes by
// itself, a dismissed row) is handed to the next sensible place, so a keyboard user is not sent back to the start.
import { useLayoutEffect, useRef, type RefObject } from 'react';

/** The content a keyboard user works in: the viewer when an image is open, else the worklist. */
export function mainRegion(): HTMLElement | null {
  return document.querySelector<HTMLElement>('[data-testid="viewer"], [data-testid="worklist"]');
}

/**
 * When the element in `ref` is removed while focus is inside it, focus goes to `next()` (or `mainRegion()` when
 * that is gone too). `orLost`: also when focus already dropped to the body (its button pressed was disabled while it
 * worked, which drops focus before the element goes).
 */
export function useFocusHandOff(
  ref: RefObject<HTMLElement | null>,
  next: () => HTMLElement | null,
  orLost = false,
): void {
  const nextRef = useRef(next);
  nextRef.current = next;
  useLayoutEffect(() => {
    const el = ref.current;
    return () => {
      // A layout effect's clean-up runs while the element is still in the page: it still holds focus here.
      const at = document.activeElement;
      if (!el?.contains(at) && !(orLost && (at === null || at === document.body))) return;
      setTimeout(() => {
        if (document.activeElement && document.activeElement !== document.body) return;
        const target = [nextRef.current(), mainRegion()].find((t) => t?.isConnected);
        target?.focus();
      }, 0);
    };
  }, [ref, orLost]);
}
