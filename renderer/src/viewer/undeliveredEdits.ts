// An edit whose save could not be delivered (the server gone, or no longer taking this window's access token) lives
// only in the page's memory: opening the address `retina serve` printed again would lose it. So it is also kept in
// this browser (IndexedDB: masks are too big for localStorage), under the study's identity and the image, with the
// version it builds on, until a save of that image goes through. Opened again on the same study, the viewer offers
// it; another study (another identity) never sees it.
import type { AnatomyRecord } from '../../../shared/contract.js';
import type { SaveIds } from './unansweredSaves.js';

export interface UndeliveredEdit {
  study: string;
  imageId: string;
  /** The version the edit builds on: saving it goes through main's stale check against it. */
  parentVersionId: string | null;
  width: number;
  height: number;
  mask: Uint8Array;
  av?: Uint8Array;
  anatomy?: AnatomyRecord;
  /** When it was kept (ISO time), to say which edit it is. */
  at: string;
  /**
   * The mask was sent as an approval: offered back as an edit to save (a draft) and approve again, never approved
   * on its own (the image may have changed since, or the user may not approve it as it is now).
   */
  approval?: boolean;
  /**
   * The ids saving it sends (unansweredSaves.ts): the save that failed may have been made, its answer lost. Sent
   * again, main answers with what those saves made (the user's own approval among them) instead of refusing the edit
   * as stale against the user's own version. Absent on edits an older release kept.
   */
  saveIds?: SaveIds;
  /**
   * The id the approval was sent under (`approval` only): a page loaded again asks main whether it made that
   * approval before offering the edit as maybe not approved.
   */
  approvalSaveId?: string;
  /**
   * The answer that refused the save, which says it was not made (a proxy's body limit: 413), offered with the edit
   * instead of "could not be saved, maybe it reached the server"; absent when no such answer came.
   */
  refusal?: string;
}

/**
 * A restore or an adoption sent and not answered yet (ActIds): kept here too, so that a page loaded again meanwhile
 * can ask main whether it was made, and otherwise send it again under the same id.
 */
export interface PendingAct {
  study: string;
  imageId: string;
  /** The act as ActIds names it (what it copies, onto which version). */
  act: string;
  saveId: string;
  /** The act in the user's words ("restore of version 3"). */
  words: string;
  at: string;
}

const DB = 'retina-undelivered-edits';
const EDITS = 'edits';
const ACTS = 'acts';
const keyOf = (study: string, imageId: string): string => `${study}\n${imageId}`;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    // Version 2 added the acts; a browser that kept edits under version 1 keeps them.
    const req = indexedDB.open(DB, 2);
    req.onupgradeneeded = () => {
      for (const name of [EDITS, ACTS])
        if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name);
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('cannot open the browser store'));
  });
}

async function run<T>(
  store: string,
  mode: IDBTransactionMode,
  work: (s: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = work(db.transaction(store, mode).objectStore(store));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('the browser store refused it'));
    });
  } finally {
    db.close();
  }
}

type Kept = { study: string; imageId: string };

/** What is kept under `store` for `imageId` of `study`, or null. */
async function keptFor<T extends Kept>(store: string, study: string, imageId: string): Promise<T | null> {
  const found = (await run(store, 'readonly', (s) => s.get(keyOf(study, imageId)))) as T | undefined;
  // Checked, not trusted to the key alone: nothing is offered on another study.
  return found && found.study === study && found.imageId === imageId ? found : null;
}

const keep = async (store: string, k: Kept): Promise<void> => {
  await run(store, 'readwrite', (s) => s.put(k, keyOf(k.study, k.imageId)));
};
const forget = async (store: string, study: string, imageId: string): Promise<void> => {
  await run(store, 'readwrite', (s) => s.delete(keyOf(study, imageId)));
};

export const keepUndelivered = (edit: UndeliveredEdit): Promise<void> => keep(EDITS, edit);

/** The edit kept for `imageId` of `study`, or null. */
export const undeliveredEdit = (study: string, imageId: string): Promise<UndeliveredEdit | null> =>
  keptFor<UndeliveredEdit>(EDITS, study, imageId);

export const forgetUndelivered = (study: string, imageId: string): Promise<void> =>
  forget(EDITS, study, imageId);

/** One act per image is pending at a time (ActIds holds one): a newer one replaces it. */
export const keepPendingAct = (act: PendingAct): Promise<void> => keep(ACTS, act);

export const pendingAct = (study: string, imageId: string): Promise<PendingAct | null> =>
  keptFor<PendingAct>(ACTS, study, imageId);

export const forgetPendingAct = (study: string, imageId: string): Promise<void> =>
  forget(ACTS, study, imageId);
