// What each viewer action does: one dispatcher behind the keyboard and the toolbar/panel buttons alike. The
// editing itself happens in the MaskDocument (and the pure functions in ../editing); this only routes. On an
// approved image (locked) the editing actions do nothing (the document refuses them too); under the Help overlay
// only closing it does.
import { useCallback, type Dispatch, type SetStateAction } from 'react';
import { useApp } from '../appContext.js';
import type { DisplayFilter } from '../editing/displayFilter.js';
import { actionRefused, type Action } from './keymap.js';
import type { MaskDocument } from './maskDocument.js';
import type { Tool } from './MaskCanvas.js';
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
  const { doc, locked, tool, setTool, setRadius, islandSize, cleanup, setMaskVisible, setDiff, setFilter } =
    t;
  const { fit, actual, go, approve, predict, help, setHelp, cancelGesture, onClose } = t;
  const { toggleUncertainty, nextUncertain, setAv, toggleMeasurements } = t;

  return useCallback(
    (action: Action) => {
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
          setAv((v) => !v);
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
          setHelp((h) => !h);
          break;
        case 'close':
          // Escape closes what is on top: Help, else a gesture in progress, else the viewer.
          if (help) setHelp(false);
          else if (!cancelGesture()) onClose();
          break;
      }
    },
    [
      doc,
      locked,
      tool,
      setTool,
      setRadius,
      islandSize,
      cleanup,
      setMaskVisible,
      setDiff,
      setAv,
      toggleUncertainty,
      nextUncertain,
      toggleMeasurements,
      setFilter,
      notify,
      fit,
      actual,
      go,
      approve,
      predict,
      help,
      setHelp,
      cancelGesture,
      onClose,
    ],
  );
}
