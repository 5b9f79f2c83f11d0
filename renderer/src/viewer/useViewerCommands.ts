// What each viewer action does: one dispatcher behind the keyboard and the toolbar/panel buttons alike. The
// editing itself happens in the MaskDocument (and the pure functions in ../editing); this only routes. On an
// approved image (locked) the editing actions do nothing (the document refuses them too); under the Help overlay
// only closing it does.
import { useCallback, useLayoutEffect, useRef, type Dispatch, type SetStateAction } from 'react';
import { useApp } from '../appContext.js';
import type { DisplayFilter } from '../editing/displayFilter.js';
import { actionRefused, type Action } from './keymap.js';
import type { MaskDocument } from './maskDocument.js';
import { AV_TOOLS, type Tool } from './MaskCanvas.js';
import { biggerRadius, smallerRadius } from './useToolSettings.js';
import { resizedDisc } from '../editing/discEdit.js';

export interface CommandTargets {
  doc: MaskDocument | null;
  locked: boolean;
  tool: Tool;
  setTool: (t: Tool) => void;
  setRadius: Dispatch<SetStateAction<number>>;
  islandSize: number;
  /** Remove islands / fill holes of up to `size` pixels, through the large-edit guard. */
  cleanup: (kind: 'islands' | 'holes', size: number) => void;
  setMaskVisible: Dispatch<SetStateAction<boolean>>;
  setDiff: Dispatch<SetStateAction<boolean>>;
  /** Whether the artery/vein layer is shown. */
  av: boolean;
  setAv: Dispatch<SetStateAction<boolean>>;
  toggleUncertainty: () => void;
  nextUncertain: () => void;
  toggleMeasurements: () => void;
  setFilter: Dispatch<SetStateAction<DisplayFilter>>;
  fit: () => void;
  actual: () => void;
  go: (delta: number) => void;
  approve: () => Promise<void>;
  predict: () => Promise<void>;
  help: boolean;
  setHelp: Dispatch<SetStateAction<boolean>>;
  /** Cancels a gesture in progress on the canvas (a lasso); true when there was one. */
  cancelGesture: () => boolean;
  onClose: () => void;
}

export function useViewerCommands(t: CommandTargets): (action: Action) => void {
  const { notify } = useApp();
  // Keys can come faster than renders (H then Escape, R then V, a tool key then [ or Delete): the dispatcher is
  // stable and reads the latest render's targets through a ref, and the state it sets itself (tool, Help, the A/V
  // layer) from `live`, updated at once, so each key acts on what the key before it left.
  const targets = useRef(t);
  useLayoutEffect(() => {
    targets.current = t;
  });
  const live = useRef({ tool: t.tool, help: t.help, av: t.av });
  useLayoutEffect(() => {
    live.current.tool = t.tool;
  }, [t.tool]);
  useLayoutEffect(() => {
    live.current.help = t.help;
  }, [t.help]);
  useLayoutEffect(() => {
    live.current.av = t.av;
  }, [t.av]);

  return useCallback(
    (action: Action) => {
      const { doc, locked, setRadius, islandSize, cleanup, setMaskVisible, setDiff, setFilter } =
        targets.current;
      const { fit, actual, go, approve, predict, cancelGesture, onClose } = targets.current;
      const { toggleUncertainty, nextUncertain, toggleMeasurements } = targets.current;
      const state = live.current;
      const { tool, help } = state;
      const setTool = (next: Tool) => {
        state.tool = next;
        targets.current.setTool(next);
      };
      const setAv = (shown: boolean) => {
        state.av = shown;
        targets.current.setAv(shown);
        // As the Viewer's effect does, at once: labels and the disc are not edited unseen.
        if (!shown && (AV_TOOLS.has(state.tool) || state.tool === 'disc')) setTool('pan');
      };
      const setHelp = (open: boolean) => {
        state.help = open;
        targets.current.setHelp(open);
      };
      if (actionRefused(action, { locked, help })) return;
      switch (action) {
        case 'brush':
        case 'eraser':
        case 'fill':
        case 'lasso':
        case 'pan':
          setTool(action);
          break;
        case 'artery':
        case 'vein':
        case 'flip':
        case 'flipVessel':
          if (!doc?.labels) {
            notify(
              'This image has no artery/vein map: predict it with the anatomy models installed.',
              'info',
            );
            break;
          }
          setTool(action);
          // Labels are edited where they can be seen.
          setAv(true);
          break;
        case 'disc':
          if (!doc?.anatomy) {
            notify(
              'This image has no optic disc record: predict it with the anatomy models installed.',
              'info',
            );
            break;
          }
          setTool(action);
          setAv(true);
          break;
        case 'removeDisc':
          // Only with the Disc tool: Delete elsewhere must not take the disc away unseen.
          if (tool !== 'disc') break;
          if (!doc?.removeDisc()) notify('There is no optic disc to remove.', 'info');
          break;
        case 'toggleAv':
          setAv(!state.av);
          break;
        case 'smaller':
        case 'bigger': {
          // With the Disc tool the keys size the disc (a step of 5%); otherwise the brush.
          const disc = tool === 'disc' ? doc?.anatomy?.disc : null;
          if (disc) doc!.setDisc(resizedDisc(disc, action === 'bigger' ? 1 : -1));
          else setRadius(action === 'bigger' ? biggerRadius : smallerRadius);
          break;
        }
        case 'undo':
          doc?.undoEdit();
          break;
        case 'redo':
          doc?.redoEdit();
          break;
        case 'toggleMask':
          setMaskVisible((v) => !v);
          break;
        case 'toggleDiff':
          setDiff((v) => !v);
          break;
        case 'toggleUncertainty':
          toggleUncertainty();
          break;
        case 'nextUncertain':
          nextUncertain();
          break;
        case 'measurements':
          toggleMeasurements();
          break;
        case 'green':
          setFilter((f) => ({ ...f, greenOnly: !f.greenOnly }));
          break;
        case 'clahe':
          setFilter((f) => ({ ...f, clahe: !f.clahe }));
          break;
        case 'islands':
        case 'holes':
          cleanup(action, islandSize);
          break;
        case 'fit':
          fit();
          break;
        case 'actual':
          actual();
          break;
        case 'next':
          go(1);
          break;
        case 'previous':
          go(-1);
          break;
        case 'approve':
          void approve();
          break;
        case 'predict':
          void predict();
          break;
        case 'help':
          setHelp(!help);
          break;
        case 'close':
          // Escape closes what is on top: Help, else a gesture in progress, else the viewer.
          if (help) setHelp(false);
          else if (!cancelGesture()) onClose();
          break;
      }
    },
    [notify],
  );
}
