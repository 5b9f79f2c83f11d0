// The app's windows hear of changes other processes made to its SQLite study (a `retina db import`, a second app
// server on the same file): without this their worklist and open viewer kept showing the study as it was until the
// user happened to reload.
import type { EventOf } from '../../shared/contract.js';
import { changeMark, imagesChangedSince, type Store } from '../store/index.js';
import type { EventHub } from './events.js';
import { toId } from './ids.js';

/** How often the study is looked at: a cheap read (a pragma and one indexed row) while nothing changes. */
const LOOK_EVERY_MS = 2000;

/** Emits imagesChanged for what other processes commit; returns the function that stops watching. */
export function watchOutsideChanges(store: Store, events: EventHub): () => void {
  let seen = changeMark(store);
  if (!seen) return () => {};
  let announcing = false;
  /** `announced`: images this process has just announced itself, not to be announced again. */
  const look = (announced?: ReadonlySet<string>): void => {
    try {
      const now = changeMark(store);
      if (!now || !seen || now.dataVersion === seen.dataVersion) return;
      const ids = imagesChangedSince(store, seen.auditId)
        .map(toId)
        .filter((id) => !announced?.has(id));
      seen = now;
      // Everything was just announced (the worklist read itself again then too): nothing more to say.
      if (announced && ids.length === 0) return;
      announcing = true;
      try {
        // Empty when no image is named (a patient renamed, an erasure): the worklist reads itself again all the same.
        events.emit('imagesChanged', { imageIds: ids });
      } finally {
        announcing = false;
      }
    } catch {
      // A study busy or closing: looked at again next time.
    }
  };
  // This process's job workers write through their own connections, which move data_version like another
  // process's commit: without this, each job's images were announced twice, the second time up to a look later
  // (an open Measurements panel measured the image again, seconds on a 12-MP photograph). When the process
  // announces a change, the watcher looks at once and keeps to what that announcement did not name.
  const unsubscribe = events.subscribe((event, payload) => {
    if (event !== 'imagesChanged' || announcing) return;
    const p = payload as EventOf<'imagesChanged'>;
    if (p.leaseOnly) return;
    // After every subscriber has heard the announcement itself.
    queueMicrotask(() => look(new Set(p.imageIds)));
  });
  const timer = setInterval(look, LOOK_EVERY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}
