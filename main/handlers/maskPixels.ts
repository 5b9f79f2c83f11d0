// Mask and probability pixels as the wire carries them, decoded from their PNG blobs once. Blobs are
// content-addressed, so a hash always names the same pixels: reopening an image, or a prefetch racing the open,
// costs no PNG decode. The arrays handed out are shared: callers only send them, never write to them.
import {
  loadAvLabels,
  loadMask,
  loadProbabilityBytes,
  type MaskVersion,
  type Store,
} from '../store/index.js';
import { packBits, probabilityCut } from '../../shared/mask-bits.js';
import { ByteLru } from './lru.js';

export class MaskPixels {
  private readonly kept: ByteLru<Uint8Array>;
  private readonly pending = new Map<string, Promise<Uint8Array | null>>();

  constructor(
    private readonly store: Store,
    maxBytes = 192 * 1024 * 1024,
  ) {
    this.kept = new ByteLru(maxBytes, (b) => b.length);
  }

  /** The version's mask, one 0/1 byte per pixel. */
  async mask(v: MaskVersion): Promise<Uint8Array> {
    const data = await this.cached(`mask:${v.pngHash}`, async () => (await loadMask(this.store, v)).data);
    return data as Uint8Array;
  }

  /** The prediction's probabilities as kept (prob8: round(255 p)), or null when only its mask was kept. */
  prob8(v: MaskVersion): Promise<Uint8Array | null> {
    if (!v.probHash) return Promise.resolve(null);
    return this.cached(`prob8:${v.probHash}`, () => loadProbabilityBytes(this.store, v));
  }

  /**
   * The version's mask 8 pixels a byte (shared/mask-bits.ts); a prediction with probabilities packs them as the
   * viewer thresholds them at `threshold`, so its first frame shows what the probabilities would.
   */
  async bits(v: MaskVersion, threshold: number | null = null): Promise<Uint8Array> {
    const prob = threshold === null ? null : await this.prob8(v);
    if (prob) {
      const cut = probabilityCut(prob, threshold!);
      return (await this.cached(`bits:${v.probHash}@${cut}`, async () => packBits(prob, cut))) as Uint8Array;
    }
    const mask = await this.mask(v);
    return (await this.cached(`bits:${v.pngHash}`, async () => packBits(mask))) as Uint8Array;
  }

  /** The version's artery/vein labels (0/1/2 per pixel), or null when it has none. */
  av(v: MaskVersion): Promise<Uint8Array | null> {
    if (!v.avHash) return Promise.resolve(null);
    return this.cached(`av:${v.avHash}`, () => loadAvLabels(this.store, v));
  }

  private cached(key: string, load: () => Promise<Uint8Array | null>): Promise<Uint8Array | null> {
    const hit = this.kept.get(key);
    if (hit) return Promise.resolve(hit);
    let p = this.pending.get(key);
    if (!p) {
      p = load().then((data) => {
        if (data) this.kept.set(key, data);
        return data;
      });
      const settle = () => void this.pending.delete(key);
      p.then(settle, settle);
      this.pending.set(key, p);
    }
    return p;
  }
}
