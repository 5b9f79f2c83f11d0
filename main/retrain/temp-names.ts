// A retrain copies store images out as img<id> files in a temporary folder the trainer reads. An error about one
// of them (a photograph whose stored file is damaged) would name that file, which is gone by the time anyone reads
// the message and says nothing of which photograph it was: this names what each copied file was instead.
export class TempNames {
  private readonly names = new Map<string, string>();

  /** `path` (a file written into the temporary folder) holds `what` (e.g. `01.tif (image 7)`). */
  add(path: string, what: string): void {
    this.names.set(path, what);
  }

  /** `err` with every temporary file its message names replaced by what that file was (the same error object). */
  explain(err: unknown): unknown {
    if (!(err instanceof Error) || this.names.size === 0) return err;
    let message = err.message;
    // Longest first: a shorter path can then never replace part of a longer one.
    for (const path of [...this.names.keys()].sort((a, b) => b.length - a.length)) {
      message = message.split(path).join(this.names.get(path)!);
    }
    err.message = message;
    return err;
  }
}

/** How a store image is named to the user (as loadImageRaster names it). */
export function storeImageName(image: { id: number; fileName: string }): string {
  return `${image.fileName} (image ${image.id})`;
}
