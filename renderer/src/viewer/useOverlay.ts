// How the mask is drawn over the photograph: shown or not, opacity, colour, and mask or difference mode (the
// last two live in the document, which paints the overlay pixels). Colour, opacity and the artery/vein layer are
// kept from one image to the next; every image opens with its mask shown and not as a difference, so nothing is
// approved unseen.
import { useEffect, useState, type Dispatch, type SetStateAction } from 'react';
import type { MaskDocument } from './maskDocument.js';
import { useSessionState } from './useSessionState.js';

export interface Overlay {
  maskVisible: boolean;
  setMaskVisible: Dispatch<SetStateAction<boolean>>;
  opacity: number;
  setOpacity: (o: number) => void;
  colour: string;
  setColour: (c: string) => void;
  /** Difference mode: corrections against the prediction instead of the mask. */
  diff: boolean;
  setDiff: Dispatch<SetStateAction<boolean>>;
  /** The artery/vein layer: the mask coloured by label, with the disc and fovea markers. */
  av: boolean;
  setAv: Dispatch<SetStateAction<boolean>>;
}

export function useOverlay(doc: MaskDocument | null): Overlay {
  const [maskVisible, setMaskVisible] = useState(true);
  const [opacity, setOpacity] = useSessionState('overlay.opacity', 0.6);
  const [colour, setColour] = useSessionState('overlay.colour', '#ffc800');
  const [diff, setDiff] = useState(false);
  const [av, setAv] = useSessionState('overlay.av', false);

  useEffect(() => {
    doc?.setColour(colour);
  }, [doc, colour]);

  useEffect(() => {
    doc?.setMode(diff ? 'diff' : 'mask');
  }, [doc, diff]);

  useEffect(() => {
    // The working mask is needed to keep the labels in step: made now rather than at the first edit.
    if (av) doc?.prepare();
    doc?.setAvShown(av);
  }, [doc, av]);

  return { maskVisible, setMaskVisible, opacity, setOpacity, colour, setColour, diff, setDiff, av, setAv };
}
