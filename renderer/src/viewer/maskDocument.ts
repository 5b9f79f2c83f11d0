// The editing state of one image: the working mask, its undo stack, the prediction, and how the overlay colours
// them. React only holds a reference and a change counter; every pixel operation is a pure editing function, and
// each reports the rectangle it changed so the view repaints only that (the view paints the overlay itself, at
// display resolution: see editing/overlayView.ts).

import { strokeSegment } from '../editing/brush.js';
import { floodFill } from '../editing/floodFill.js';
import { fillPolygon } from '../editing/lasso.js';
import { fillHoles, removeIslands } from '../editing/morphology.js';
import { hexToRgba, packRgba } from '../editing/overlay.js';
import { pairPalette, type OverlaySource } from '../editing/overlayView.js';
import { clipRect, isEmptyRect, unionRect, EMPTY_RECT, type Point, type Rect } from '../editing/rect.js';
import { adoptUnedited } from '../editing/followPrediction.js';
import { probabilityCut, thresholdProbabilities } from '../editing/threshold.js';
import { UndoStack } from '../editing/undo.js';

export type OverlayMode = 'mask' | 'diff';

export interface PredictionInput {
  /** Probabilities (Uint16, p = v / 65535) or a binary mask when only that was kept. */
  prob: Uint16Array | Uint8Array | null;
  mask: Uint8Array | null;
  threshold: number;
  versionId: string;
}

export interface DocumentOptions {
  width: number;
  height: number;
  /** The saved mask to start from (the newest person-made version); null starts from the prediction (or empty). */
  saved: { data: Uint8Array; versionId: string } | null;
  prediction: PredictionInput | null;
}

const DIFF_ADDED_COLOUR = packRgba(40, 220, 90);
const DIFF_REMOVED_COLOUR = packRgba(255, 60, 200);

export class MaskDocument {
  readonly width: number;
  readonly height: number;
  /** The working mask; null until first needed when it is the prediction thresholded (see `mask`). */
  private working: Uint8Array | null;
  private undoStack: UndoStack | null = null;
  // The prediction fields change only through replacePrediction (a re-predict keeps the document and its undo).
  /** The version the working mask started from (sent as the parent of saved versions). */
  parentVersionId: string | null;
  prob: Uint16Array | Uint8Array | null;
  /** The prediction at the current threshold (null without a prediction). */
  /** The prediction at the current threshold, once computed (see predMask). */
  private predicted: Uint8Array | null;
  threshold: number;
  /** True while the working mask is derived from the prediction, so the threshold slider rewrites it. */
  followsPrediction: boolean;
  /** An approved image: every editing entry point does nothing until the image is reopened for editing. */
  locked = false;
  /** The working mask started from a saved draft or approval (not from the prediction). */
  private readonly fromSaved: boolean;
  mode: OverlayMode = 'mask';
  /** 1 where a hand edit (brush, fill, lasso, clean-up) wrote; the threshold slider leaves those pixels be. */
  readonly edited: Uint8Array;
  private palette = Uint32Array.from([0, packRgba(255, 200, 0)]);
  private diffPalette = pairPalette(0, DIFF_ADDED_COLOUR, DIFF_REMOVED_COLOUR, packRgba(255, 200, 0));
  private editDirty: Rect = { ...EMPTY_RECT };
  /** Called after what the overlay shows changed in `rect` (image pixels; the view repaints it). */
  onRepaint: (rect: Rect) => void = () => {};
  /** Called after an edit was committed (autosave, toolbar state). */
  onEdited: () => void = () => {};

  constructor(opts: DocumentOptions) {
    const { width, height } = opts;
    this.width = width;
    this.height = height;
    const n = width * height;
    this.prob = opts.prediction?.prob ?? null;
    this.threshold = opts.prediction?.threshold ?? 0.5;
    // Starting from a saved mask, the thresholded prediction waits until the difference view or the slider needs
    // it: one pass less over every pixel when opening a large image.
    this.predicted = opts.prediction?.mask ?? null;
    for (const arr of [this.prob, this.predicted, opts.saved?.data]) {
      if (arr && arr.length !== n)
        throw new RangeError(`a mask of ${arr.length} pixels does not fit a ${width}x${height} image`);
    }
    // Following the prediction, the working mask is the probabilities thresholded: that pass over every pixel
    // waits until an edit, a save or the view needs the mask (the overlay is painted from the probabilities until
    // then), and the viewer asks for it once the image is on screen (prepare).
    this.working = opts.saved
      ? opts.saved.data.slice()
      : this.predicted
        ? this.predicted.slice()
        : this.prob
          ? null
          : new Uint8Array(n);
    this.parentVersionId = opts.saved?.versionId ?? opts.prediction?.versionId ?? null;
    this.fromSaved = opts.saved !== null;
    this.followsPrediction = !opts.saved && this.prob !== null;
    this.edited = new Uint8Array(n);
  }

  /** The working mask (0/1 per pixel), which every edit changes. */
  get mask(): Uint8Array {
    this.working ??= thresholdProbabilities(this.prob!, this.threshold);
    return this.working;
  }

  /** The undo stack of the working mask. */
  get undo(): UndoStack {
    // The "edited by hand" marks are undone and redone with the pixels, so the threshold slider again rewrites
    // pixels whose hand edit was undone.
    this.undoStack ??= new UndoStack(this.mask, this.width, this.height, [this.edited]);
    return this.undoStack;
  }

  get canUndo(): boolean {
    return this.undoStack?.canUndo ?? false;
  }

  get canRedo(): boolean {
    return this.undoStack?.canRedo ?? false;
  }

  /** Makes the working mask now (called once the image is on screen, so the first edit does not wait for it). */
  prepare(): void {
    void this.undo;
  }

  /** The working mask's value at pixel (i, j), without making the mask for it. */
  valueAt(i: number, j: number): number {
    const p = j * this.width + i;
    if (this.working) return this.working[p];
    return this.prob![p] >= probabilityCut(this.prob!, this.threshold) ? 1 : 0;
  }

  // --- editing -------------------------------------------------------------------------------------------------

  private readonly span = (y: number, x0: number, x1: number): void => {
    this.undo.span(y, x0, x1);
    this.edited.fill(1, y * this.width + x0, y * this.width + x1);
  };

  begin(label: string): void {
    if (this.locked) return;
    this.undo.begin(label);
    this.editDirty = { ...EMPTY_RECT };
  }

  private touched(rect: Rect): boolean {
    if (isEmptyRect(rect)) return false;
    this.editDirty = unionRect(this.editDirty, rect);
    this.repaint(rect);
    return true;
  }

  /**
   * One pointer segment of a brush (value 1) or eraser (value 0) stroke, inside begin()/commit(). Returns whether
   * it wrote any pixel (a segment wholly outside the image writes none).
   */
  stroke(from: Point, to: Point, radius: number, value: 0 | 1): boolean {
    if (this.locked) return false;
    return this.touched(
      strokeSegment(this.mask, this.width, this.height, from, to, radius, value, this.span),
    );
  }

  fill(at: Point, value: 0 | 1): void {
    if (this.locked) return;
    this.begin('fill');
    this.touched(floodFill(this.mask, this.width, this.height, at.x, at.y, value, { onSpan: this.span }));
    this.commit();
  }

  lasso(points: Point[], value: 0 | 1): void {
    if (this.locked) return;
    this.begin(value ? 'lasso fill' : 'lasso erase');
    this.touched(fillPolygon(this.mask, this.width, this.height, points, value, 'nonzero', this.span));
    this.commit();
  }

  removeIslands(minSize: number): number {
    if (this.locked) return 0;
    this.begin('remove islands');
    const r = removeIslands(this.mask, this.width, this.height, minSize, this.span);
    this.touched(r.rect);
    this.commit();
    return r.components;
  }

  fillHoles(maxSize: number): number {
    if (this.locked) return 0;
    this.begin('fill holes');
    const r = fillHoles(this.mask, this.width, this.height, maxSize, this.span);
    this.touched(r.rect);
    this.commit();
    return r.components;
  }

  commit(): void {
    if (!this.undoStack?.recording) return;
    if (this.undo.commit()) this.onEdited();
  }

  undoEdit(): boolean {
    if (this.locked) return false;
    const r = this.undo.undo();
    if (r) {
      this.repaint(r);
      this.onEdited();
    }
    return r !== null;
  }

  redoEdit(): boolean {
    if (this.locked) return false;
    const r = this.undo.redo();
    if (r) {
      this.repaint(r);
      this.onEdited();
    }
    return r !== null;
  }

  /**
   * Re-thresholds the prediction. While the working mask follows the prediction, it is rewritten too, except the
   * pixels the user edited by hand; the change is one undoable edit per slider gesture (`final` ends it).
   */
  setThreshold(t: number, final: boolean): void {
    if (!this.prob) return;
    // The working mask as it was, for undo, before the threshold it would be made from changes.
    if (this.followsPrediction && !this.locked) this.prepare();
    this.threshold = t;
    const predMask = thresholdProbabilities(this.prob, t, this.predicted ?? undefined);
    this.predicted = predMask;
    const all = { x: 0, y: 0, width: this.width, height: this.height };
    if (this.followsPrediction && !this.locked) {
      if (!this.undo.recording) this.undo.begin('threshold');
      this.undo.touch(all);
      adoptUnedited(this.mask, predMask, this.edited);
      this.repaint(all);
      if (final) this.commit();
    } else if (this.mode === 'diff') {
      this.repaint(all);
    }
  }

  /**
   * A new prediction of this image arrived (re-predict). The document, its undo history and the user's corrections
   * stay: a working mask that started from a saved draft or approval keeps every pixel (the new prediction shows in
   * the difference overlay); one that follows the prediction takes the new one wherever it was not edited by hand.
   * With an undo history that change is one more undoable step, autosaved like any edit; without one (nothing
   * done here yet) it simply replaces the old prediction, as opening the image afresh would.
   */
  replacePrediction(p: PredictionInput): void {
    const n = this.width * this.height;
    const predMask = p.mask ?? thresholdProbabilities(p.prob!, p.threshold);
    for (const arr of [p.prob, predMask]) {
      if (arr && arr.length !== n)
        throw new RangeError(
          `a mask of ${arr.length} pixels does not fit a ${this.width}x${this.height} image`,
        );
    }
    this.commit();
    this.prob = p.prob;
    this.predicted = predMask;
    this.threshold = p.threshold;
    const all = { x: 0, y: 0, width: this.width, height: this.height };
    if (!this.fromSaved && !this.locked) {
      this.followsPrediction = this.prob !== null;
      this.parentVersionId = p.versionId;
      if (this.canUndo || this.canRedo) {
        this.undo.begin('new prediction');
        this.undo.touch(all);
        adoptUnedited(this.mask, predMask, this.edited);
        this.commit();
      } else {
        adoptUnedited(this.mask, predMask, this.edited);
      }
    }
    this.repaint(all);
  }

  // --- display -------------------------------------------------------------------------------------------------

  // Both are called on every open with what the document already shows: that repaints nothing.
  setMode(mode: OverlayMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.repaint({ x: 0, y: 0, width: this.width, height: this.height });
  }

  setColour(hex: string): void {
    const c = hexToRgba(hex);
    if (c === this.palette[1]) return;
    this.palette = Uint32Array.from([0, c]);
    this.diffPalette = pairPalette(0, DIFF_ADDED_COLOUR, DIFF_REMOVED_COLOUR, c);
    this.repaint({ x: 0, y: 0, width: this.width, height: this.height });
  }

  get hasPrediction(): boolean {
    return this.predicted !== null || this.prob !== null;
  }

  /** The prediction at the current threshold (null without a prediction). */
  get predMask(): Uint8Array | null {
    if (!this.predicted && this.prob) this.predicted = thresholdProbabilities(this.prob, this.threshold);
    return this.predicted;
  }

  /** What the overlay is painted from now, and with which colours (see paintOverlayView). */
  overlay(): { source: OverlaySource; palette: Uint32Array } {
    const predicted = this.mode === 'diff' ? this.predMask : null;
    const probability =
      !predicted && !this.working && this.prob
        ? { values: this.prob, cut: probabilityCut(this.prob, this.threshold) }
        : undefined;
    const mask = probability ? null : this.mask;
    return {
      source: { mask, probability, predicted, width: this.width, height: this.height },
      palette: predicted ? this.diffPalette : this.palette,
    };
  }

  /** Tells the view that what the overlay shows changed in `rect`. */
  repaint(rect: Rect): void {
    const r = clipRect(rect, this.width, this.height);
    if (!isEmptyRect(r)) this.onRepaint(r);
  }

  /** A copy of the working mask for saving (the document keeps editing its own array). */
  snapshot(): Uint8Array {
    return this.mask.slice();
  }
}
