// The editing state of one image: the working mask, its undo stack, the prediction, and how the overlay colours
// them. React only holds a reference and a change counter; every pixel operation is a pure editing function, and
// each reports the rectangle it changed so the view repaints only that (the view paints the overlay itself, at
// display resolution: see editing/overlayView.ts). An image with an artery/vein map keeps its labels beside the
// mask: every mask edit keeps them consistent (editing/avLabels.ts), and the undo stack records them with the mask.

import { strokeSegment } from '../editing/brush.js';
import { floodFill } from '../editing/floodFill.js';
import { fillPolygon } from '../editing/lasso.js';
import { fillHoles, removeIslands } from '../editing/morphology.js';
import { hexToRgba, packRgba } from '../editing/overlay.js';
import { pairPalette, type OverlaySource } from '../editing/overlayView.js';
import { clipRect, isEmptyRect, unionRect, EMPTY_RECT, type Point, type Rect } from '../editing/rect.js';
import { adoptUnedited } from '../editing/followPrediction.js';
import { probabilityCut, thresholdProbabilities } from '../editing/threshold.js';
import { UndoStack, type Patch } from '../editing/undo.js';
import { reconcileLabels, labelsForMask } from '../editing/avLabels.js';
import { flipSegment, paintLabels, type AvLabel } from '../editing/avEdits.js';
import { armDirectionAt, flipVessel, shortPieceAt } from '../editing/avVessel.js';
import { MarkerHistory } from '../editing/markerHistory.js';
import { lateralityFromDiscAndFovea } from '../../../shared/laterality.js';
import { clampDisc, sameDisc, HAND_FOVEA_CONFIDENCE, type Disc, type Markers } from '../editing/discEdit.js';
import { vesselSegments, type VesselSegments } from '../../../shared/vessel-segments.js';
import { segmentNodes, type SegmentNode } from '../../../shared/segment-nodes.js';
import type { AnatomyPayload, AnatomyRecord } from '../../../shared/contract.js';

export type OverlayMode = 'mask' | 'diff';

export interface PredictionInput {
  /** Probabilities (Uint16, p = v / 65535) or a binary mask when only that was kept. */
  prob: Uint16Array | Uint8Array | null;
  mask: Uint8Array | null;
  threshold: number;
  versionId: string;
  /** `mask` is the probabilities thresholded, and they follow (attachProbabilities): the mask follows the slider. */
  probabilitiesLater?: boolean;
}

export interface DocumentOptions {
  width: number;
  height: number;
  /** The saved mask to start from (the newest person-made version); null starts from the prediction (or empty). */
  saved: { data: Uint8Array; versionId: string } | null;
  prediction: PredictionInput | null;
  /** Artery/vein labels of the starting mask (0 background, 1 artery, 2 vein) and its disc/fovea record. */
  anatomy?: { labels: Uint8Array | null; record: AnatomyPayload | null } | null;
  /** What the undo history may hold (UNDO_BUDGET_BYTES unless given). */
  undoBudgetBytes?: number;
}

/** Artery and vein colours: a rose red and an azure, apart from the uncertainty map's yellow-to-red ramp. */
export const ARTERY_COLOUR = '#ff2e6e';
export const VEIN_COLOUR = '#2e9bff';

const DIFF_ADDED_COLOUR = packRgba(40, 220, 90);
const DIFF_REMOVED_COLOUR = packRgba(255, 60, 200);

export class MaskDocument {
  readonly width: number;
  readonly height: number;
  /** The working mask; null until first needed when it is the prediction as it came (see `mask`). */
  private working: Uint8Array | null;
  private undoStack: UndoStack | null = null;
  // The prediction fields change only through replacePrediction (a re-predict keeps the document and its undo).
  /**
   * The version the next save builds on (its parent): the one the working mask started from, then the last one
   * saved from this document (see savedAs). Main refuses a save whose parent is no longer the image's current one.
   */
  parentVersionId: string | null;
  /** A version was saved from this document: a new prediction no longer becomes the parent. */
  private savedHere = false;
  prob: Uint16Array | Uint8Array | null;
  /** The prediction's version, whose probabilities attachProbabilities takes. */
  private predictionVersionId: string | null;
  /** Its probabilities are to be sent (getProbabilities); the slider's latest move until they arrive. */
  private probabilitiesLater: boolean;
  private pendingThreshold: number | null = null;
  /** The prediction at the current threshold, once computed (see predMask). */
  private predicted: Uint8Array | null;
  threshold: number;
  /** True while the working mask is derived from the prediction, so the threshold slider rewrites it. */
  followsPrediction: boolean;
  /** Set from the review state (approved) and the lease (read-only here). */
  private lockedByState = false;
  /**
   * An approval is on its way: locked whatever the review state says meanwhile (the answer to a save the approval
   * waited for says "draft", and would unlock it), so that nothing is edited or undone under the approval.
   */
  approving = false;
  /** An approved image: every editing entry point does nothing until the image is reopened for editing. */
  get locked(): boolean {
    return this.lockedByState || this.approving;
  }
  set locked(locked: boolean) {
    this.lockedByState = locked;
  }
  /** The working mask started from a saved draft or approval (not from the prediction). */
  private readonly fromSaved: boolean;
  mode: OverlayMode = 'mask';
  /** 1 where a hand edit (brush, fill, lasso, clean-up) wrote; the threshold slider leaves those pixels be. */
  readonly edited: Uint8Array;
  private palette = Uint32Array.from([0, packRgba(255, 200, 0)]);
  private diffPalette = pairPalette(0, DIFF_ADDED_COLOUR, DIFF_REMOVED_COLOUR, packRgba(255, 200, 0));
  private editDirty: Rect = { ...EMPTY_RECT };
  /** An edit opened by begin() is open: a stroke being drawn (every other edit commits at once). */
  private stroking = false;
  /** That stroke's label (a new prediction arriving mid-stroke commits it, then opens the rest as another). */
  private strokeName = '';
  /** Artery/vein labels of the working mask (null: the image has no artery/vein map). */
  readonly labels: Uint8Array | null;
  /** Disc, fovea and laterality (null: none found or no anatomy models). */
  anatomy: AnatomyPayload | null;
  /** Whether the version opened had a disc (a later "none" is then a removal by hand). */
  private readonly openedWithDisc: boolean;
  private readonly undoBudgetBytes: number | undefined;
  /** The overlay colours arteries and veins instead of the mask colour. */
  avShown = false;
  private readonly avPalette = Uint32Array.from([0, hexToRgba(ARTERY_COLOUR), hexToRgba(VEIN_COLOUR)]);
  /** The vessel segments of the working mask, for flips; dropped whenever the mask changes. */
  private segments: VesselSegments | null = null;
  /** Where those segments meet, for vessel flips; dropped with them. */
  private nodes: SegmentNode[] | null = null;
  /** Disc and fovea edits, undone and redone in turn with the pixel edits. */
  private readonly markerHistory = new MarkerHistory<Markers>();
  /** Called after what the overlay shows changed in `rect` (image pixels; the view repaints it). */
  onRepaint: (rect: Rect) => void = () => {};
  /** Called when the slider first moves while the probabilities are still to come (the viewer fetches them). */
  onProbabilitiesNeeded: () => void = () => {};
  /** Called after an edit was committed (autosave, toolbar state). */
  onEdited: () => void = () => {};
  /** Called when undo or redo of a slider gesture put the threshold back (the slider shows it). */
  onThresholdRestored: (t: number) => void = () => {};
  /** The threshold before the slider gesture now recorded (null: none is). */
  private thresholdFrom: number | null = null;
  /** The thresholds either side of each slider gesture's step: undo and redo put the slider back with the mask. */
  private readonly thresholdSteps = new WeakMap<Patch, { from: number; to: number }>();

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
    // Likewise a prediction sent as its mask is shown from that mask until the working copy is needed.
    this.working = opts.saved
      ? opts.saved.data.slice()
      : this.predicted || this.prob
        ? null
        : new Uint8Array(n);
    this.parentVersionId = opts.saved?.versionId ?? opts.prediction?.versionId ?? null;
    this.fromSaved = opts.saved !== null;
    this.predictionVersionId = opts.prediction?.versionId ?? null;
    this.probabilitiesLater = !this.prob && !!opts.prediction?.probabilitiesLater;
    this.followsPrediction = !opts.saved && (this.prob !== null || !!opts.prediction?.probabilitiesLater);
    this.edited = new Uint8Array(n);
    const labels = opts.anatomy?.labels ?? null;
    if (labels && labels.length !== n)
      throw new RangeError(
        `an artery/vein map of ${labels.length} pixels does not fit a ${width}x${height} image`,
      );
    this.labels = labels ? labels.slice() : null;
    this.anatomy = opts.anatomy?.record ?? null;
    this.openedWithDisc = !!this.anatomy?.disc;
    this.undoBudgetBytes = opts.undoBudgetBytes;
  }

  /** `versionId` was saved from this document: the next save builds on it. */
  savedAs(versionId: string): void {
    this.parentVersionId = versionId;
    this.savedHere = true;
  }

  /** The working mask (0/1 per pixel), which every edit changes. */
  get mask(): Uint8Array {
    this.working ??= this.prob ? thresholdProbabilities(this.prob, this.threshold) : this.predicted!.slice();
    return this.working;
  }

  /** The undo stack of the working mask. */
  get undo(): UndoStack {
    // The "edited by hand" marks are undone and redone with the pixels, so the threshold slider again rewrites
    // pixels whose hand edit was undone.
    this.undoStack ??= new UndoStack(
      this.mask,
      this.width,
      this.height,
      this.labels ? [this.edited, this.labels] : [this.edited],
      this.undoBudgetBytes,
    );
    return this.undoStack;
  }

  get canUndo(): boolean {
    return (this.undoStack?.canUndo ?? false) || this.markerHistory.canUndo;
  }

  get canRedo(): boolean {
    return (this.undoStack?.canRedo ?? false) || this.markerHistory.canRedo;
  }

  /** Nothing done here yet: nothing to undo or redo, and no edit open (a stroke being drawn, a slider dragged). */
  get untouched(): boolean {
    return !this.canUndo && !this.canRedo && !(this.undoStack?.recording ?? false);
  }

  /** Makes the working mask now (called once the image is on screen, so the first edit does not wait for it). */
  prepare(): void {
    void this.undo;
  }

  /** The working mask's value at pixel (i, j), without making the mask for it. */
  valueAt(i: number, j: number): number {
    const p = j * this.width + i;
    if (this.working) return this.working[p];
    if (!this.prob) return this.predicted![p];
    return this.prob![p] >= probabilityCut(this.prob!, this.threshold) ? 1 : 0;
  }

  // --- editing -------------------------------------------------------------------------------------------------

  private readonly span = (y: number, x0: number, x1: number): void => {
    this.undo.span(y, x0, x1);
    this.edited.fill(1, y * this.width + x0, y * this.width + x1);
  };

  begin(label: string): void {
    if (this.locked) return;
    // An edit still open is committed here rather than inside the stack, so the marker history hears of it.
    this.commit();
    this.undo.begin(label);
    this.stroking = true;
    this.strokeName = label;
    this.editDirty = { ...EMPTY_RECT };
  }

  /** After the mask changed in `rect`: the labels follow it (recorded by the open edit), the overlay repaints. */
  private touched(rect: Rect): boolean {
    if (isEmptyRect(rect)) return false;
    this.forgetSegments();
    if (this.labels) reconcileLabels(this.mask, this.labels, this.width, this.height, rect, this.undo.span);
    this.editDirty = unionRect(this.editDirty, rect);
    this.repaint(rect);
    return true;
  }

  /** After labels alone changed in `rect` (the mask did not). */
  private relabelled(rect: Rect): boolean {
    if (isEmptyRect(rect)) return false;
    this.editDirty = unionRect(this.editDirty, rect);
    if (this.avShown) this.repaint(rect);
    return true;
  }

  /** Artery/vein editing is possible: the image has labels and is not approved. */
  get canEditLabels(): boolean {
    return this.labels !== null && !this.locked;
  }

  /**
   * One pointer segment of the brush in artery or vein mode, inside begin()/commit(): labels the vessel pixels
   * under it; the mask does not change.
   */
  strokeLabel(from: Point, to: Point, radius: number, label: AvLabel): boolean {
    if (!this.canEditLabels || !this.undoStack?.recording) return false;
    const { labels, mask, width, height } = this;
    return this.relabelled(
      paintLabels(labels!, mask, width, height, from, to, radius, label, this.undo.span),
    );
  }

  /** Flips the artery/vein label of the whole vessel segment under `at` (one undoable edit). */
  flipSegmentAt(at: Point): boolean {
    if (!this.canEditLabels) return false;
    this.segments ??= vesselSegments(this.mask, this.width, this.height);
    this.begin('flip segment');
    const r = flipSegment(this.labels!, this.segments, this.width, this.height, at, 3, this.undo.span);
    const flipped = this.relabelled(r);
    this.commit();
    return flipped;
  }

  /** Flips the artery/vein label of the whole vessel through the segment under `at` (one undoable edit). */
  flipVesselAt(at: Point): boolean {
    if (!this.canEditLabels) return false;
    const { width, height } = this;
    this.segments ??= vesselSegments(this.mask, width, height);
    this.nodes ??= segmentNodes(
      this.segments,
      width,
      height,
      shortPieceAt(width, height),
      armDirectionAt(width, height),
    );
    this.begin('flip vessel');
    const r = flipVessel(this.labels!, this.segments, this.nodes, width, height, at, 3, this.undo.span);
    const flipped = this.relabelled(r);
    this.commit();
    return flipped;
  }

  /** The mask changed: its segments and their nodes no longer hold. */
  private forgetSegments(): void {
    this.segments = null;
    this.nodes = null;
  }

  /**
   * No disc because a person removed it (in this window, or in the saved version opened), not because the model
   * found none: the viewer says so instead of "No optic disc found".
   */
  get discRemovedByHand(): boolean {
    const a = this.anatomy;
    return !!a && !a.disc && (a.discMovedBy !== null || this.openedWithDisc);
  }

  /** The disc and fovea can be placed, moved, resized or removed: the image has an anatomy record and is not approved. */
  get canEditMarkers(): boolean {
    return this.anatomy !== null && !this.locked;
  }

  /**
   * Sets the optic disc by hand (a new draft, like any correction): placed where none was found, moved or resized;
   * kept on the image, at least a few pixels across. False when it cannot be edited or nothing changes.
   */
  setDisc(next: Disc): boolean {
    if (!this.canEditMarkers) return false;
    const disc = clampDisc(next, this.width, this.height);
    return !sameDisc(this.anatomy!.disc, disc) && this.editMarkers({ ...this.markers(), disc });
  }

  /** Moves the disc's centre, keeping its size; false when there is no disc to move. */
  moveDisc(to: Point): boolean {
    const disc = this.anatomy?.disc;
    return !!disc && this.setDisc({ ...disc, x: to.x, y: to.y });
  }

  /**
   * Removes the disc (a false one, on a photograph that shows none); the model's fovea, placed from that disc, goes
   * with it, a fovea put by hand stays; the laterality judged from the disc is unknown again. False without a disc.
   */
  removeDisc(): boolean {
    const a = this.anatomy;
    if (!this.canEditMarkers || !a?.disc) return false;
    const fovea = a.fovea?.confidence === HAND_FOVEA_CONFIDENCE ? a.fovea : null;
    return this.editMarkers({ disc: null, fovea, laterality: null });
  }

  /** Puts the fovea at `at` by hand (placed or moved; a person's word, confidence 1). False when nothing changes. */
  setFovea(at: Point): boolean {
    if (!this.canEditMarkers) return false;
    const x = Math.min(this.width, Math.max(0, at.x));
    const y = Math.min(this.height, Math.max(0, at.y));
    const f = this.anatomy!.fovea;
    if (f && f.x === x && f.y === y && f.confidence === HAND_FOVEA_CONFIDENCE) return false;
    return this.editMarkers({ ...this.markers(), fovea: { x, y, confidence: HAND_FOVEA_CONFIDENCE } });
  }

  private markers(): Markers {
    const { disc, fovea, laterality } = this.anatomy!;
    return { disc, fovea, laterality };
  }

  /** A hand edit of the markers; the laterality follows them where they tell the eye, else stays as it was. */
  private editMarkers(next: Markers): true {
    const to = { ...next, laterality: lateralityFromDiscAndFovea(next) ?? next.laterality };
    this.commit();
    // A new edit: pixel edits undone before it cannot be redone after it, as marker edits cannot after a stroke.
    this.undoStack?.dropRedo();
    this.markerHistory.record(this.markers(), to, this.undoStack?.position ?? 0);
    this.applyMarkers(to);
    return true;
  }

  private applyMarkers(m: Markers): void {
    this.anatomy = { ...this.anatomy!, ...m };
    this.onEdited();
  }

  /**
   * One pointer segment of a brush (value 1) or eraser (value 0) stroke, inside begin()/commit(). Returns whether
   * it wrote any pixel (a segment wholly outside the image writes none).
   */
  stroke(from: Point, to: Point, radius: number, value: 0 | 1): boolean {
    // No edit open: the stroke's was closed under it (undo, a clean-up pressed while drawing).
    if (this.locked || !this.undoStack?.recording) return false;
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

  /**
   * Drops the edit in progress, every pixel (and mark and label) it wrote restored: a stroke that became a pinch
   * or that the browser cancelled is applied whole or not at all.
   */
  abandon(): void {
    this.stroking = false;
    if (!this.undoStack?.recording) return;
    const r = this.undo.cancel();
    if (isEmptyRect(r)) return;
    this.forgetSegments();
    this.repaint(r);
  }

  /** Ends the edit in progress; true when it changed something (a new undo step). */
  commit(): boolean {
    this.stroking = false;
    const from = this.thresholdFrom;
    this.thresholdFrom = null;
    if (!this.undoStack?.recording) return false;
    const patch = this.undo.commit();
    if (patch) {
      if (from !== null) this.thresholdSteps.set(patch, { from, to: this.threshold });
      this.markerHistory.pixelsCommitted();
      this.markerHistory.forgetBefore(this.undo.forgotten);
      this.onEdited();
    }
    return patch !== null;
  }

  /** After undo or redo of `patch`: a slider gesture's threshold goes back with its pixels. */
  private restoreThreshold(patch: Patch | undefined, which: 'from' | 'to'): void {
    const step = patch && this.thresholdSteps.get(patch);
    if (!step || !this.prob) return;
    this.threshold = step[which];
    this.predicted = thresholdProbabilities(this.prob, this.threshold, this.predicted ?? undefined);
    if (this.mode === 'diff') this.repaint({ x: 0, y: 0, width: this.width, height: this.height });
    this.onThresholdRestored(this.threshold);
  }

  undoEdit(): boolean {
    if (this.locked) return false;
    // Undo pressed while a stroke is drawn takes that stroke back whole; the rest of it writes nothing.
    if (this.stroking) {
      this.abandon();
      return true;
    }
    this.commit();
    const move = this.markerHistory.undo(this.undoStack?.position ?? 0);
    if (move) {
      this.applyMarkers(move.from);
      return true;
    }
    if (!this.undoStack) return false;
    const patch = this.undo.nextUndo;
    const r = this.undo.undo();
    if (r) {
      this.forgetSegments();
      this.repaint(r);
      this.restoreThreshold(patch, 'from');
      this.onEdited();
    }
    return r !== null;
  }

  redoEdit(): boolean {
    if (this.locked) return false;
    this.commit();
    const move = this.markerHistory.redo(this.undoStack?.position ?? 0);
    if (move) {
      this.applyMarkers(move.to);
      return true;
    }
    if (!this.undoStack) return false;
    const patch = this.undo.nextRedo;
    const r = this.undo.redo();
    if (r) {
      this.forgetSegments();
      this.repaint(r);
      this.restoreThreshold(patch, 'to');
      this.onEdited();
    }
    return r !== null;
  }

  /**
   * Re-thresholds the prediction. While the working mask follows the prediction, it is rewritten too, except the
   * pixels the user edited by hand; the change is one undoable edit per slider gesture (`final` ends it).
   */
  setThreshold(t: number, final: boolean): void {
    if (!this.prob) {
      // Moved before the probabilities arrived: asks for them, and applies as one step when they come.
      if (!this.probabilitiesLater) return;
      if (this.pendingThreshold === null) this.onProbabilitiesNeeded();
      this.pendingThreshold = t;
      return;
    }
    // The working mask as it was, for undo, before the threshold it would be made from changes.
    if (this.followsPrediction && !this.locked) this.prepare();
    const before = this.threshold;
    this.threshold = t;
    const predMask = thresholdProbabilities(this.prob, t, this.predicted ?? undefined);
    this.predicted = predMask;
    const all = { x: 0, y: 0, width: this.width, height: this.height };
    if (this.followsPrediction && !this.locked) {
      if (!this.undo.recording) {
        this.undo.begin('threshold');
        this.thresholdFrom = before;
      }
      this.undo.touch(all);
      adoptUnedited(this.mask, predMask, this.edited);
      this.followMask(all);
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
    // A stroke being drawn is committed up to here and goes on as an edit of its own after the prediction's:
    // left closed, the rest of it, pointer still down, would write nothing.
    const drawing = this.stroking ? this.strokeName : null;
    this.commit();
    this.prob = p.prob;
    this.predictionVersionId = p.versionId;
    this.probabilitiesLater = false;
    this.pendingThreshold = null;
    this.predicted = predMask;
    this.threshold = p.threshold;
    const all = { x: 0, y: 0, width: this.width, height: this.height };
    if (!this.fromSaved && !this.locked) {
      this.followsPrediction = this.prob !== null;
      if (!this.savedHere) this.parentVersionId = p.versionId;
      if (this.canUndo || this.canRedo) {
        this.undo.begin('new prediction');
        this.undo.touch(all);
        adoptUnedited(this.mask, predMask, this.edited);
        this.followMask(all);
        this.commit();
      } else {
        adoptUnedited(this.mask, predMask, this.edited);
        this.followMask(all);
      }
    }
    this.repaint(all);
    if (drawing !== null) this.begin(drawing);
  }

  /**
   * The probabilities of the prediction whose mask the document was opened with (sent after the first frame). They
   * threshold to that mask, so nothing on screen changes: the slider and re-thresholding now have them. False when
   * the document no longer shows that prediction or already has probabilities.
   */
  attachProbabilities(versionId: string, prob: Uint8Array): boolean {
    if (this.prob || versionId !== this.predictionVersionId) return false;
    if (prob.length !== this.width * this.height)
      throw new RangeError(
        `a probability map of ${prob.length} pixels does not fit a ${this.width}x${this.height} image`,
      );
    this.prob = prob;
    this.probabilitiesLater = false;
    const t = this.pendingThreshold;
    this.pendingThreshold = null;
    if (t !== null && t !== this.threshold) this.setThreshold(t, true);
    return true;
  }

  /** The threshold slider can move: the probabilities are here or can be fetched (see attachProbabilities). */
  get canThreshold(): boolean {
    return this.prob !== null || this.probabilitiesLater;
  }

  /** The labels follow a mask change over `rect` made outside the editing functions (threshold, new prediction). */
  private followMask(rect: Rect): void {
    this.forgetSegments();
    if (this.labels)
      reconcileLabels(
        this.mask,
        this.labels,
        this.width,
        this.height,
        rect,
        this.undo.recording ? this.undo.span : undefined,
      );
  }

  // --- display -------------------------------------------------------------------------------------------------

  /** Colours the overlay by artery/vein label (only for an image that has labels). */
  setAvShown(shown: boolean): void {
    const next = shown && this.labels !== null;
    if (next === this.avShown) return;
    this.avShown = next;
    this.repaint({ x: 0, y: 0, width: this.width, height: this.height });
  }

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
    if (this.avShown && this.labels) {
      const source = { mask: this.labels, predicted: null, width: this.width, height: this.height };
      return { source, palette: this.avPalette };
    }
    const predicted = this.mode === 'diff' ? this.predMask : null;
    const probability =
      !predicted && !this.working && this.prob
        ? { values: this.prob, cut: probabilityCut(this.prob, this.threshold) }
        : undefined;
    const shownAsSent = !predicted && !this.working && !this.prob ? this.predicted : null;
    const mask = probability ? null : (shownAsSent ?? this.mask);
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

  /**
   * What a save sends with `mask` (a snapshot): the labels made consistent with it (a copy; the invariant the store
   * checks holds even if some path forgot to follow the mask) and the disc/fovea record, each when the image has it.
   */
  anatomySnapshot(mask: Uint8Array): { av?: Uint8Array; anatomy?: AnatomyRecord } {
    const a = this.anatomy;
    return {
      ...(this.labels ? { av: labelsForMask(mask, this.labels, this.width, this.height) } : {}),
      ...(a ? { anatomy: { disc: a.disc, fovea: a.fovea, laterality: a.laterality } } : {}),
    };
  }
}
