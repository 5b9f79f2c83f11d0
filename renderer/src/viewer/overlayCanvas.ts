// The mask overlay as the screen shows it, painted straight into the overlay layer's own canvas (device pixels)
// from the document at the current view (editing/overlayView.ts): no intermediate canvas, nothing to blit or
// scale. Opening an image paints the pixels on screen, not the whole image; an edit repaints the screen pixels
// over the rectangle it changed; a zoom or pan repaints the view. Changes are collected and painted once per frame,
// when the layer draws. putImageData ignores the context's alpha, so the layer's opacity is the canvas element's.
import { paintOverlayView, screenRectOf } from '../editing/overlayView.js';
import { EMPTY_RECT, isEmptyRect, unionRect, type Rect } from '../editing/rect.js';
import type { View } from '../editing/viewport.js';
import type { MaskDocument } from './maskDocument.js';

export class OverlayCanvas {
  private canvas: HTMLCanvasElement | null = null;
  private ctx: CanvasRenderingContext2D | null = null;
  private pixels = new Uint32Array(0);
  private imageData: ImageData | null = null;
  /** The view in device pixels (the CSS view times the pixel ratio). */
  private view: View = { scale: 1, x: 0, y: 0 };
  private doc: MaskDocument | null = null;
  /** Image pixels whose overlay pixels are out of date, or the whole view. */
  private pending: Rect = { ...EMPTY_RECT };
  private pendingAll = false;

  /**
   * Shows `doc` at `view` (CSS pixels) in `canvas` (the layer's, `pixelRatio` device pixels per CSS pixel). The
   * pixels are painted by the next flush (the layer's draw), once however often this is called.
   */
  show(doc: MaskDocument, view: View, canvas: HTMLCanvasElement, pixelRatio: number): void {
    if (canvas !== this.canvas) {
      const ctx = canvas.getContext('2d');
      if (!ctx) throw new Error('cannot draw the mask overlay: no 2D context');
      this.canvas = canvas;
      this.ctx = ctx;
      this.imageData = null;
    }
    this.doc = doc;
    this.view = { scale: view.scale * pixelRatio, x: view.x * pixelRatio, y: view.y * pixelRatio };
    this.pendingAll = true;
  }

  /** Marks the overlay pixels showing image pixels of `rect` out of date (an edit changed them). */
  update(rect: Rect): void {
    this.pending = unionRect(this.pending, rect);
  }

  /** Paints what is out of date: called just before the layer draws, so a frame paints once. */
  flush(): void {
    const { doc, canvas, ctx } = this;
    if (!doc || !canvas || !ctx || (!this.pendingAll && isEmptyRect(this.pending))) return;
    let data = this.imageData;
    if (!data || data.width !== canvas.width || data.height !== canvas.height) {
      // A new or resized canvas (Konva resizes its layers with the stage, which also clears them).
      data = this.imageData = ctx.createImageData(Math.max(1, canvas.width), Math.max(1, canvas.height));
      this.pixels = new Uint32Array(data.data.buffer);
      this.pendingAll = true;
    }
    if (this.pendingAll) {
      // In device pixels: Konva leaves its pixel-ratio scale on the context.
      ctx.save();
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.clearRect(0, 0, data.width, data.height);
      ctx.restore();
    }
    // After a new view only the image's own area holds anything: the rest stays as cleared.
    const dirty = this.pendingAll ? { x: 0, y: 0, width: doc.width, height: doc.height } : this.pending;
    this.pendingAll = false;
    this.pending = { ...EMPTY_RECT };
    const s = screenRectOf(dirty, this.view, data.width, data.height);
    if (isEmptyRect(s)) return;
    const { source, palette } = doc.overlay();
    paintOverlayView(source, this.view, this.pixels, data.width, data.height, s, palette);
    ctx.putImageData(data, 0, 0, s.x, s.y, s.width, s.height);
  }

  /** Frees the pixels (the overlay is no longer shown). */
  release(): void {
    this.doc = null;
    this.canvas = this.ctx = this.imageData = null;
    this.pixels = new Uint32Array(0);
  }
}
