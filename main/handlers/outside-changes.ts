// The app's windows hear of changes other processes made to its SQLite study (a `retina db import`, a second app
// server on the same file): without this their worklist and open viewer kept showing the study as it was until the
// user happened to reload.
import { changeMark, imagesChangedSince, type Store } from '../store/index.js';
import type { EventHub } from './events.js';
import { toId } from './ids.js';

/** How often the study is looked at: a cheap read (a pragma and one indexed row) while nothing changes. */
const LOOK_EVERY_MS = 2000;

/** Emits imagesChanged for what other processes commit; returns the function that stops watching. */
export function watchOutsideChanges(store: Store, events: EventHub): () => void {
  let seen = changeMark(store);
  if (!seen) return () => {};
  const look = (): void => {
    try {
      const now = changeMark(store);
      if (!now || !seen || now.dataVersion === seen.dataVersion) return;
      const ids = imagesChangedSince(store, seen.auditId);
      seen = now;
      // Empty when no image is named (a patient renamed, an erasure): the worklist reads itself again all the same.
      events.emit('imagesChanged', { imageIds: ids.map(toId) });
    } catch {
      // A study busy or closing: looked at again next time.
    }
  };
  const timer = setInterval(look, LOOK_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
