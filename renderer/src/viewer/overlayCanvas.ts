// The mask overlay as the screen shows it: a canvas the size of the stage in device pixels, painted from the
// document at the current view (editing/overlayView.ts). Opening an image paints the pixels on screen, not the
// whole image; an edit repaints the screen pixels over the rectangle it changed; a zoom or pan repaints the view.
// Changes are collected and painted once per frame, just before the layer draws.
import { paintOverlayView, screenRectOf } from '../editing/overlayView.js';
import { EMPTY_RECT, isEmptyRect, unionRect, type Rect } from '../editing/rect.js';
import type { View } from '../editing/viewport.js';
import type { MaskDocument } from './maskDocument.js';

export class OverlayCanvas {
  readonly canvas = document.createElement('canvas');
  private readonly ctx: CanvasRenderingContext2D;
  private pixels = new Uint32Array(0);
  private imageData: ImageData | null = null;
  /** The view in device pixels (the CSS view times the pixel ratio). */
  private view: View = { scale: 1, x: 0, y: 0 };
  private doc: MaskDocument | null = null;
  /** Image pixels whose overlay pixels are out of date, or the whole view. */
  private pending: Rect = { ...EMPTY_RECT };
  private pendingAll = false;

  constructor() {
    const ctx = this.canvas.getContext('2d');
    if (!ctx) throw new Error('cannot create a 2D canvas for the mask overlay');
    this.ctx = ctx;
  }

  /**
   * Shows `doc` at `view` (CSS pixels) on a stage `width` x `height` CSS pixels at `pixelRatio` device pixels per
   * CSS pixel. The pixels are painted by the next flush (the layer's draw), once however often this is called.
   */
  show(doc: MaskDocument, view: View, width: number, height: number, pixelRatio: number): void {
    // Truncated, as Konva sizes its layers' bitmaps.
    const w = Math.max(1, Math.floor(width * pixelRatio));
    const h = Math.max(1, Math.floor(height * pixelRatio));
    if (this.canvas.width !== w || this.canvas.height !== h || !this.imageData) {
      this.canvas.width = w;
      this.canvas.height = h;
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
    const doc = this.doc;
    if (!doc || (!this.pendingAll && isEmptyRect(this.pending))) return;
    let data = this.imageData;
    if (!data) {
      data = this.imageData = this.ctx.createImageData(this.canvas.width, this.canvas.height);
      this.pixels = new Uint32Array(data.data.buffer);
    } else if (this.pendingAll) {
      this.ctx.clearRect(0, 0, data.width, data.height);
    }
    // After a new view only the image's own area holds anything: the rest stays as cleared.
    const dirty = this.pendingAll ? { x: 0, y: 0, width: doc.width, height: doc.height } : this.pending;
    this.pendingAll = false;
    this.pending = { ...EMPTY_RECT };
    const s = screenRectOf(dirty, this.view, data.width, data.height);
    if (isEmptyRect(s)) return;
    const { source, palette } = doc.overlay();
    paintOverlayView(source, this.view, this.pixels, data.width, data.height, s, palette);
    this.ctx.putImageData(data, 0, 0, s.x, s.y, s.width, s.height);
  }

  /** Frees the pixels (the canvas is no longer shown). */
  release(): void {
    this.doc = null;
    this.imageData = null;
    this.pixels = new Uint32Array(0);
    this.canvas.width = this.canvas.height = 0;
  }
}
