// The kinds of retrain run a training run's config names: each task keeps its own held-out images, so a run's
// kind says whose held-out set its snapshot belongs to.
export const VESSEL_RUN_KIND = 'retrain';
export const ANATOMY_RUN_KIND = 'anatomy-retrain';
