// Undo and redo of the anatomy markers edited by hand (the optic disc placed, moved, resized or removed; the fovea
// put or moved), interleaved with the mask's pixel edits: each edit remembers how many pixel edits the undo stack
// held when it was made, so undo always takes back the newer of the two kinds first, and redo replays them in their
// original order.

export interface MarkerEdit<T> {
  /** The markers before the edit. */
  from: T;
  to: T;
  /** The pixel undo stack's depth when the edit was made. */
  depth: number;
}

/** `T` is a value the document replaces on every edit, never changes in place: the history keeps it as given. */
export class MarkerHistory<T> {
  private readonly undoList: MarkerEdit<T>[] = [];
  private redoList: MarkerEdit<T>[] = [];

  /** A new edit, made when the pixel stack held `depth` edits; nothing undone can be redone after it. */
  record(from: T, to: T, depth: number): void {
    this.undoList.push({ from, to, depth });
    this.redoList = [];
  }

  /** A new pixel edit was committed: marker edits undone before it cannot be redone either. */
  pixelsCommitted(): void {
    this.redoList = [];
  }

  /**
   * The pixel edits before `depth` were let go (the undo stack's budget): marker edits made before then go too, as
   * undoing them would jump over pixel edits that can no longer be undone.
   */
  forgetBefore(depth: number): void {
    while (this.undoList.length > 0 && this.undoList[0].depth < depth) this.undoList.shift();
  }

  /** The marker edit to take back now, when newer than every pixel edit still held (`depth` of them); else null. */
  undo(depth: number): MarkerEdit<T> | null {
    const m = this.undoList.at(-1);
    if (!m || m.depth !== depth) return null;
    this.undoList.pop();
    this.redoList.push(m);
    return m;
  }

  /** The marker edit to replay now, when it came right after the pixel edits now held (`depth` of them); else null. */
  redo(depth: number): MarkerEdit<T> | null {
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
