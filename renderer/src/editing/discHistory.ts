// Undo and redo of optic-disc moves, interleaved with the mask's pixel edits: each move remembers how many pixel
// edits the undo stack held when it was made, so undo always takes back the newer of the two kinds first, and redo
// replays them in their original order.

import type { Point } from './rect.js';

export interface DiscMove {
  from: Point;
  to: Point;
  /** The pixel undo stack's depth when the move was made. */
  depth: number;
}

export class DiscHistory {
  private readonly undoList: DiscMove[] = [];
  private redoList: DiscMove[] = [];

  /** A new move, made when the pixel stack held `depth` edits; nothing undone can be redone after it. */
  record(from: Point, to: Point, depth: number): void {
    this.undoList.push({ from: { ...from }, to: { ...to }, depth });
    this.redoList = [];
  }

  /** A new pixel edit was committed: moves undone before it cannot be redone either. */
  pixelsCommitted(): void {
    this.redoList = [];
  }

  /** The move to take back now, when it is newer than every pixel edit still held (`depth` of them); else null. */
  undo(depth: number): DiscMove | null {
    const m = this.undoList.at(-1);
    if (!m || m.depth !== depth) return null;
    this.undoList.pop();
    this.redoList.push(m);
    return m;
  }

  /** The move to replay now, when it came right after the pixel edits now held (`depth` of them); else null. */
  redo(depth: number): DiscMove | null {
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
