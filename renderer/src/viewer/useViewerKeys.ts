// The viewer's keyboard: keys go through the keymap to the viewer's commands, except while a form control has
// focus; Space is held for temporary panning.
import { useEffect, useState } from 'react';
import { actionFor, keyBelongsToControl, type Action } from './keymap.js';

/**
 * Listens on the window while mounted; returns whether Space is held. `run` should be stable (useViewerCommands'
 * is): a listener re-attached after each render would hand a key pressed right after another a stale dispatcher.
 */
export function useViewerKeys(run: (action: Action) => void): boolean {
  const [spaceHeld, setSpaceHeld] = useState(false);

  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (keyBelongsToControl(e)) return;
      if (e.key === ' ') {
        setSpaceHeld(true);
        e.preventDefault();
        return;
      }
      const a = actionFor(e);
      if (!a) return;
      e.preventDefault();
      run(a);
    };
    const onKeyUp = (e: KeyboardEvent) => {
      if (e.key === ' ') setSpaceHeld(false);
    };
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('keyup', onKeyUp);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      window.removeEventListener('keyup', onKeyUp);
    };
  }, [run]);

  return spaceHeld;
}
