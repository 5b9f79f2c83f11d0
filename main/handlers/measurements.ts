// The viewer's Measurements panel: an image's vessel measures from the mask the annotator sees, computed in the
// measures worker thread and cached by everything they depend on (mask, labels, disc, pixel size, prediction), so
// reopening the panel or an unrelated change costs nothing, and a correction costs one computation. Concurrent
// requests for the same state share it. The photograph's verdict (stored with the prediction) is applied to what is
// returned, so an ungradable photograph's measures are withheld here, in its report and in its export alike.
import type { MeasurementsPayload } from '../../shared/contract.js';
import { withScaleSource, type ImageMeasures } from '../../shared/measure/measures.js';
import { MeasureThread } from '../ml/measure/measure-thread.js';
import {
  getImage,
  maskVersionNumber,
  measureSources,
  planMeasurement,
  readerMaskVersion,
  scaleSourceOf,
  withPhotographVerdict,
  type Store,
} from '../store/index.js';
import { rowId, toId } from './ids.js';

/** Results kept (each a few kilobytes): enough for a session's images and their recent edits. */
const KEPT = 256;

export class MeasurementService {
  private readonly kept = new Map<string, ImageMeasures>();
  private readonly pending = new Map<string, Promise<ImageMeasures>>();
  /** Computations started (not cache hits): what tests count. */
  computed = 0;

  constructor(
    private readonly store: Store,
    private readonly thread = new MeasureThread(),
  ) {}

  /** `reader`: a blind reader of a two-reader image, who is measured their own mask (see readerMaskVersion). */
  async get(imageIdArg: string, reader: string | null = null): Promise<MeasurementsPayload | null> {
    const image = getImage(this.store, rowId(imageIdArg, 'image'));
    const own = reader === null ? undefined : readerMaskVersion(this.store, image.id, reader);
    // Nothing of their own to measure: never the other reader's draft instead.
    if (own === null) return null;
    const plan = planMeasurement(this.store, image, own);
    if (!plan) return null;
    const hit = this.kept.get(plan.key);
    let measures: ImageMeasures;
    if (hit) {
      // Most recently used last, so the oldest result goes first.
      this.kept.delete(plan.key);
      this.kept.set(plan.key, hit);
      measures = hit;
    } else {
      let p = this.pending.get(plan.key);
      if (!p) {
        this.computed++;
        p = this.thread.measure(measureSources(this.store, plan));
        const key = plan.key;
        this.pending.set(key, p);
        p.then(
          (m) => this.keep(key, m),
          () => {},
        ).finally(() => this.pending.delete(key));
      }
      measures = await p;
    }
    const scaleSource = scaleSourceOf(plan);
    return {
      imageId: toId(image.id),
      versionId: toId(plan.version.id),
      version: maskVersionNumber(this.store, plan.version),
      kind: plan.version.kind,
      scaleSource,
      discBy: plan.version.anatomy?.discMovedBy ?? null,
      measures: withPhotographVerdict(withScaleSource(measures, scaleSource), plan),
      cached: hit !== undefined,
    };
  }

  /** The worker thread, for other measuring work of the workstation (the export). */
  measureInThread = (...args: Parameters<MeasureThread['measure']>): Promise<ImageMeasures> =>
    this.thread.measure(...args);

  close(): Promise<void> {
    return this.thread.close();
  }

  private keep(key: string, m: ImageMeasures): void {
    this.kept.set(key, m);
    for (const k of this.kept.keys()) {
      if (this.kept.size <= KEPT) break;
      this.kept.delete(k);
    }
  }
}
