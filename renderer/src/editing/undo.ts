// Undo/redo for mask edits. Each edit (a stroke, a fill, a clean-up) becomes one patch holding only the bytes
// of the rectangle that changed, before and after. While an edit is in progress, the original bytes of each
// 32x32 tile are saved the first time the edit writes into it, so recording costs O(touched area), not O(mask).
// Companion layers (same size, e.g. per-pixel "edited by hand" marks) are recorded alongside the mask, so undo
// and redo restore them together with the pixels.

import { checkMask, clipRect, EMPTY_RECT, isEmptyRect, type Rect, type SpanHook } from './rect.js';

export interface Patch {
  label: string;
  rect: Rect;
  before: Uint8Array;
  after: Uint8Array;
  /** The same rectangle of each companion layer, in the constructor's order. */
  companions: { before: Uint8Array; after: Uint8Array }[];
}

const TILE = 32;

/**
 * What the history may hold, before and after of every layer: the oldest edits go beyond it. A threshold step on a
 * 3504x2336 photograph with artery/vein labels holds about 49 MB, so an unbounded history of slider nudges and
 * clean-ups grows by gigabytes in a session.
 */
export const UNDO_BUDGET_BYTES = 384 * 1024 * 1024;

function copyRect(src: Uint8Array, srcWidth: number, r: Rect): Uint8Array {
  const out = new Uint8Array(r.width * r.height);
  for (let j = 0; j < r.height; j++) {
    const s = (r.y + j) * srcWidth + r.x;
    out.set(src.subarray(s, s + r.width), j * r.width);
  }
  return out;
}

function pasteRect(dst: Uint8Array, dstWidth: number, r: Rect, bytes: Uint8Array): void {
  for (let j = 0; j < r.height; j++) {
    dst.set(bytes.subarray(j * r.width, (j + 1) * r.width), (r.y + j) * dstWidth + r.x);
  }
}

function patchBytes(p: Patch): number {
  let n = p.before.length + p.after.length;
  for (const c of p.companions) n += c.before.length + c.after.length;
  return n;
}

export class UndoStack {
  private readonly undoList: Patch[] = [];
  private redoList: Patch[] = [];
  /** Per touched tile: its original bytes in every layer (mask first). */
  private saved: Map<number, Uint8Array[]> | null = null;
  private label = '';
  private heldBytes = 0;
  private readonly tilesX: number;
  private readonly layers: Uint8Array[];
  private forgottenEdits = 0;

  /**
   * Records edits of `mask` (width x height) and of the optional `companions` (same size); the stack keeps
   * references, so edit those same arrays.
   */
  constructor(
    readonly mask: Uint8Array,
    readonly width: number,
    readonly height: number,
    companions: Uint8Array[] = [],
    private readonly budgetBytes = UNDO_BUDGET_BYTES,
  ) {
    checkMask(mask, width, height);
    for (const c of companions) checkMask(c, width, height);
    this.tilesX = Math.ceil(width / TILE);
    this.layers = [mask, ...companions];
  }

  get recording(): boolean {
    return this.saved !== null;
  }

  /** Starts an edit. An edit still open is committed first. */
  begin(label: string): void {
    if (this.saved) this.commit();
    this.saved = new Map();
    this.label = label;
  }

  /** Must be called before pixels in `rect` change during an edit; editing functions call it via `span`. */
  touch(rect: Rect): void {
    if (!this.saved) throw new Error('UndoStack.touch called outside begin()/commit()');
    const r = clipRect(rect, this.width, this.height);
    if (isEmptyRect(r)) return;
    const tx1 = Math.floor((r.x + r.width - 1) / TILE);
    const ty1 = Math.floor((r.y + r.height - 1) / TILE);
    for (let ty = Math.floor(r.y / TILE); ty <= ty1; ty++) {
      for (let tx = Math.floor(r.x / TILE); tx <= tx1; tx++) {
        const key = ty * this.tilesX + tx;
        if (this.saved.has(key)) continue;
        const t = this.tileRect(tx, ty);
        this.saved.set(
          key,
          this.layers.map((layer) => copyRect(layer, this.width, t)),
        );
      }
    }
  }

  /** A SpanHook for brush/fill/lasso/morphology functions, bound to this stack. */
  readonly span: SpanHook = (y, x0, x1) => this.touch({ x: x0, y, width: x1 - x0, height: 1 });

  /**
   * Ends the edit. If any pixel changed, pushes a patch cropped to the changed pixels, clears the redo list and
   * returns the patch; otherwise returns null and leaves both lists as they were.
   */
  commit(): Patch | null {
    const saved = this.saved;
    if (!saved) return null;
    this.saved = null;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const [key, origs] of saved) {
      const t = this.tileRect(key % this.tilesX, Math.floor(key / this.tilesX));
      for (let l = 0; l < origs.length; l++) {
        const orig = origs[l];
        const layer = this.layers[l];
        for (let j = 0; j < t.height; j++) {
          const row = (t.y + j) * this.width + t.x;
          for (let i = 0; i < t.width; i++) {
            if (orig[j * t.width + i] !== layer[row + i]) {
              if (t.x + i < x0) x0 = t.x + i;
              if (t.x + i + 1 > x1) x1 = t.x + i + 1;
              if (t.y + j < y0) y0 = t.y + j;
              if (t.y + j + 1 > y1) y1 = t.y + j + 1;
            }
          }
        }
      }
    }
    if (x1 <= x0) return null;
    const rect: Rect = { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
    const pairs = this.layers.map((layer, l) => {
      const after = copyRect(layer, this.width, rect);
      // Pixels outside the saved tiles never changed, so `after` is the right "before" there.
      const before = after.slice();
      for (const [key, origs] of saved) {
        const t = this.tileRect(key % this.tilesX, Math.floor(key / this.tilesX));
        const o = clipRect(
          { x: t.x - rect.x, y: t.y - rect.y, width: t.width, height: t.height },
          rect.width,
          rect.height,
        );
        for (let j = 0; j < o.height; j++) {
          const srcRow = (o.y + rect.y - t.y + j) * t.width + (o.x + rect.x - t.x);
          before.set(origs[l].subarray(srcRow, srcRow + o.width), (o.y + j) * rect.width + o.x);
        }
      }
      return { before, after };
    });
    const [main, ...companions] = pairs;
    const patch: Patch = { label: this.label, rect, before: main.before, after: main.after, companions };
    this.undoList.push(patch);
    this.dropRedo();
    this.heldBytes += patchBytes(patch);
    // Over budget: the oldest edits go (the newest always stays, so the last edit can be undone).
    while (this.heldBytes > this.budgetBytes && this.undoList.length > 1) {
      this.heldBytes -= patchBytes(this.undoList.shift()!);
      this.forgottenEdits++;
    }
    return patch;
  }

  /** Abandons the open edit, restoring every pixel it wrote. */
  cancel(): Rect {
    const saved = this.saved;
    this.saved = null;
    if (!saved || saved.size === 0) return { ...EMPTY_RECT };
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (const [key, origs] of saved) {
      const t = this.tileRect(key % this.tilesX, Math.floor(key / this.tilesX));
      origs.forEach((orig, l) => pasteRect(this.layers[l], this.width, t, orig));
      x0 = Math.min(x0, t.x);
      y0 = Math.min(y0, t.y);
      x1 = Math.max(x1, t.x + t.width);
      y1 = Math.max(y1, t.y + t.height);
    }
    return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  }

  /** A new edit made outside this stack (a disc move): what was undone here can no longer be redone. */
  dropRedo(): void {
    for (const p of this.redoList) this.heldBytes -= patchBytes(p);
    this.redoList = [];
  }

  /** Reverts the last edit; returns the rectangle to redraw, or null when there is nothing to undo. */
  undo(): Rect | null {
    if (this.saved) this.commit();
    const p = this.undoList.pop();
    if (!p) return null;
    pasteRect(this.mask, this.width, p.rect, p.before);
    p.companions.forEach((c, l) => pasteRect(this.layers[l + 1], this.width, p.rect, c.before));
    this.redoList.push(p);
    return { ...p.rect };
  }

  /** Re-applies the last undone edit; returns the rectangle to redraw, or null when there is nothing to redo. */
  redo(): Rect | null {
    if (this.saved) this.commit();
    const p = this.redoList.pop();
    if (!p) return null;
    pasteRect(this.mask, this.width, p.rect, p.after);
    p.companions.forEach((c, l) => pasteRect(this.layers[l + 1], this.width, p.rect, c.after));
    this.undoList.push(p);
    return { ...p.rect };
  }

  /** The edit undo() would revert next (the document reads what else it changed besides pixels). */
  get nextUndo(): Patch | undefined {
    return this.undoList.at(-1);
  }

  /** The edit redo() would re-apply next. */
  get nextRedo(): Patch | undefined {
    return this.redoList.at(-1);
  }

  get canUndo(): boolean {
    return this.undoList.length > 0;
  }

  get canRedo(): boolean {
    return this.redoList.length > 0;
  }

  get undoDepth(): number {
    return this.undoList.length;
  }

  /** The oldest edits let go to stay within the budget: undo stops after the ones made since. */
  get forgotten(): number {
    return this.forgottenEdits;
  }

  /** Edits made and not undone, the forgotten ones included: where edits kept beside this stack interleave. */
  get position(): number {
    return this.forgottenEdits + this.undoList.length;
  }

  get redoDepth(): number {
    return this.redoList.length;
  }

  /** Bytes held by patches on both lists (the pixel data; object overhead not counted). */
  get bytes(): number {
    return this.heldBytes;
  }

  private tileRect(tx: number, ty: number): Rect {
    const x = tx * TILE;
    const y = ty * TILE;
    return { x, y, width: Math.min(TILE, this.width - x), height: Math.min(TILE, this.height - y) };
  }
}
