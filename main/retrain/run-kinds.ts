// The kinds of retrain run a training run's config names: each task keeps its own held-out images, so a run's
// kind says whose held-out set its snapshot belongs to.
export const VESSEL_RUN_KIND = 'retrain';
export const ANATOMY_RUN_KIND = 'anatomy-retrain';

/** Every retrain run kind: one retrain at a time, whatever its task. */
export const RETRAIN_RUN_KINDS: readonly string[] = [VESSEL_RUN_KIND, ANATOMY_RUN_KIND];
