// After a promotion (or rollback): predict again, with the new active model, every image that has neither a draft
// nor an approved mask. Predictions are new versions; drafts and approvals are never touched.
import { listImages, type MaskStatus, type Store } from '../store/index.js';
import { runPredictJob, type JobHooks, type PredictOutcome } from '../jobs/index.js';

/** Images with no person-made version (review status none or prediction), in import order. */
export function draftFreeImages(store: Store): number[] {
  const ids: number[] = [];
  for (const maskStatus of ['none', 'prediction'] as MaskStatus[]) {
    let cursor: string | null = null;
    do {
      const page = listImages(store, { maskStatus, cursor, limit: 1000 });
      ids.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  return ids.sort((a, b) => a - b);
}

export async function repredictDraftFree(
  store: Store,
  model: { id: number; dirPath: string },
  opts: { author: string; threads: number; hooks: JobHooks },
): Promise<PredictOutcome> {
  const imageIds = draftFreeImages(store);
  if (imageIds.length === 0) return { predicted: [], skipped: [] };
  return runPredictJob(
    store,
    { imageIds, modelId: model.id, modelDir: model.dirPath, threads: opts.threads, author: opts.author },
    opts.hooks,
  );
}
