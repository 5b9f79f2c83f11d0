// Files a retrain leaves beside the database (`<db>.runs/<run id>/`): the difference overlays of the held-out
// images where candidate and active model disagree most, shown in the run's comparison.
import { rm } from 'node:fs/promises';
import { writeFileAtomic } from '../node/atomic-fs.js';
import { encodePng } from '../ml/io/image-io.js';
import { differenceOverlay, type HeldOutSample } from './fine-tune.js';
import { makeSideDir, overlayPath, type Store } from '../store/index.js';

/** Overlays kept per run: the images where candidate and active model disagree on the most pixels. */
const OVERLAYS_KEPT = 4;

export { overlayPath, runArtifactsDir } from '../store/index.js';

/**
 * Keeps the overlays of the OVERLAYS_KEPT most changed images, written as the comparison goes (the images are
 * streamed, so the final ranking is not known in advance).
 */
export class OverlayKeeper {
  private readonly ranked: { imageId: number; changed: number }[] = [];

  constructor(
    private readonly store: Store,
    private readonly runId: number,
  ) {}

  /** One held-out image's candidate and active masks. */
  async add(s: HeldOutSample, candidate: Uint8Array, active: Uint8Array): Promise<void> {
    let changed = 0;
    for (let i = 0; i < candidate.length; i++) if (s.fov.data[i] && candidate[i] !== active[i]) changed++;
    const imageId = Number(s.id);
    const { ranked } = this;
    ranked.push({ imageId, changed });
    ranked.sort((x, y) => y.changed - x.changed);
    if (ranked.findIndex((k) => k.imageId === imageId) >= OVERLAYS_KEPT) return;
    await makeSideDir(this.store, 'runs', String(this.runId));
    await writeFileAtomic(
      overlayPath(this.store, this.runId, imageId),
      await encodePng(differenceOverlay(s.image, candidate, active)),
    );
    // The one pushed out of the top ranks loses its overlay.
    const evicted = ranked[OVERLAYS_KEPT];
    if (evicted) await rm(overlayPath(this.store, this.runId, evicted.imageId), { force: true });
  }

  /** Images whose overlay is on disk. */
  kept(): Set<number> {
    return new Set(this.ranked.slice(0, OVERLAYS_KEPT).map((k) => k.imageId));
  }
}
