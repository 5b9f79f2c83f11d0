// What an import says about a photograph it takes but a person should know of: the pages of a multi-page file left
// out, and a frame too dark or blown out to grade (a failed capture). Such a frame is imported, not skipped: the app
// keeps every ungradable photograph (a prediction badges it and its measures are withheld), and a camera's failed
// capture with sensor noise was imported anyway; skipping only the perfectly black one would hide it.
import { BLACK_LUMA, exposure } from '../ml/measure/photograph-quality.js';
import { pagesWarning } from '../ml/infer.js';
import type { BinaryMap, RasterImage } from '../ml/types.js';
import { exposureVerdict, ungradableReason } from '../../shared/measure/gradability-verdict.js';

export interface PhotographNote {
  kind: 'pages-left-out' | 'ungradable';
  message: string;
}

/**
 * The notes on a photograph about to be imported, read off its pixels inside its field of view; `shown` is the
 * photograph as the viewer shows it (over black), which the import has at hand for its field of view.
 */
export function photographNotes(raster: RasterImage, shown: RasterImage, fov: BinaryMap): PhotographNote[] {
  const notes: PhotographNote[] = pagesWarning(raster, 'imported').map((message) => ({
    kind: 'pages-left-out',
    message,
  }));
  const { over, under } = exposure(shown, fov.data);
  const { reasons } = exposureVerdict(over, under);
  if (reasons.length > 0)
    notes.push({
      kind: 'ungradable',
      message: `${ungradableReason({ reasons })} (a failed capture?): its vessels cannot be measured`,
    });
  return notes;
}

/**
 * A black frame (a failed capture): every pixel black, with sensor noise or none. It looks like a label, but one with
 * nothing on it is no annotation to keep, and one named like an annotation is still skipped as one. Two grey values
 * are a mask of 0 and 1, not a frame.
 */
export function isBlackFrame(raster: RasterImage): boolean {
  const max = raster.bitDepth === 16 ? 65535 : 255;
  const c = raster.channels;
  const colours = c === 2 || c === 4 ? c - 1 : c;
  const d = raster.data;
  const values = new Set<number>();
  let grey = true;
  for (let i = 0; i < d.length; i += c) {
    for (let j = 0; j < colours; j++) {
      if (d[i + j] * 255 > BLACK_LUMA * max) return false;
      if (d[i + j] !== d[i]) grey = false;
    }
    if (values.size < 3) values.add(d[i]);
  }
  return !(grey && values.size === 2);
}
