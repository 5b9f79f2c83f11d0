// getMasks with `bits` (what opening an image asks for): its masks come 8 pixels a byte, an eighth of the bytes to
// receive before the first frame. Unpacked here, on arrival, into the response the rest of the viewer reads; the
// prediction becomes its mask ('mask8'), still saying whether probabilities follow (getProbabilities).
import type { MaskVersionPayload, MasksResponse, PredictionPayload } from '../../../shared/contract.js';
import { unpackBits } from '../../../shared/mask-bits.js';

function unpackVersion(v: MaskVersionPayload | null, pixels: number): MaskVersionPayload | null {
  return v && { ...v, data: unpackBits(v.data, pixels) };
}

function unpackPrediction(p: PredictionPayload | null, pixels: number): PredictionPayload | null {
  if (!p || p.encoding !== 'bits') return p;
  return { ...p, encoding: 'mask8', data: unpackBits(p.data, pixels) };
}

/** A getMasks answer to `bits: true` with every mask unpacked (one 0/1 byte per pixel). */
export function unpackMasks(m: MasksResponse): MasksResponse {
  const pixels = m.width * m.height;
  return {
    ...m,
    prediction: unpackPrediction(m.prediction, pixels),
    draft: unpackVersion(m.draft, pixels),
    approved: unpackVersion(m.approved, pixels),
  };
}
