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
}

const DB = 'retina-undelivered-edits';
const STORE = 'edits';
const keyOf = (study: string, imageId: string): string => `${study}\n${imageId}`;

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('cannot open the browser store'));
  });
}

async function run<T>(mode: IDBTransactionMode, work: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = work(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('the browser store refused it'));
    });
  } finally {
    db.close();
  }
}

export async function keepUndelivered(edit: UndeliveredEdit): Promise<void> {
  await run('readwrite', (s) => s.put(edit, keyOf(edit.study, edit.imageId)));
}

/** The edit kept for `imageId` of `study`, or null. */
export async function undeliveredEdit(study: string, imageId: string): Promise<UndeliveredEdit | null> {
  const found = (await run('readonly', (s) => s.get(keyOf(study, imageId)))) as UndeliveredEdit | undefined;
  // Checked, not trusted to the key alone: an edit is never offered on another study.
  return found && found.study === study && found.imageId === imageId ? found : null;
}

export async function forgetUndelivered(study: string, imageId: string): Promise<void> {
  await run('readwrite', (s) => s.delete(keyOf(study, imageId)));
}
