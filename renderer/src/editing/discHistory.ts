// Undo and redo of optic-disc edits (placed, moved, resized), interleaved with the mask's pixel edits: each edit
// remembers how many pixel edits the undo stack held when it was made, so undo always takes back the newer of the
// two kinds first, and redo replays them in their original order.

import type { Disc } from './discEdit.js';

export interface DiscEdit {
  /** The disc before the edit; null where none had been found (the edit placed it). */
  from: Disc | null;
  to: Disc;
  /** The pixel undo stack's depth when the edit was made. */
  depth: number;
}

export class DiscHistory {
  private readonly undoList: DiscEdit[] = [];
  private redoList: DiscEdit[] = [];

  /** A new edit, made when the pixel stack held `depth` edits; nothing undone can be redone after it. */
  record(from: Disc | null, to: Disc, depth: number): void {
    this.undoList.push({ from: from && { ...from }, to: { ...to }, depth });
    this.redoList = [];
  }

  /** A new pixel edit was committed: disc edits undone before it cannot be redone either. */
  pixelsCommitted(): void {
    this.redoList = [];
  }

  /** The disc edit to take back now, when newer than every pixel edit still held (`depth` of them); else null. */
  undo(depth: number): DiscEdit | null {
    const m = this.undoList.at(-1);
    if (!m || m.depth !== depth) return null;
    this.undoList.pop();
    this.redoList.push(m);
    return m;
  }

  /** The disc edit to replay now, when it came right after the pixel edits now held (`depth` of them); else null. */
  redo(depth: number): DiscEdit | null {
    const m = this.redoList.at(-1);
    if (!m || m.depth !== depth) return null;
    this.redoList.pop();
    this.undoList.push(m);
    return m;
  }

  get canUndo(): boolean {
    return this.undoList.length > 0;
  }

  get canRedo(): boolean {
    return this.redoList.length > 0;
  }
}
