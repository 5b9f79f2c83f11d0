// A save whose answer never came (a network blip, a proxy's timeout) may have been saved all the same. This window
// then still names the version before it as its parent, and main would refuse its next save as stale against the
// window's own version ("saved by <you> at ..."). So each save carries an id, and the ids of the saves not answered
// since the last answer go with the next one: main takes the versions they made as this window's own. The same
// pixels sent again keep their save's id, so a save that was made is answered with its version, not made twice.
import { MAX_UNANSWERED_SAVES, RpcError, type SaveMaskRequest } from '../../../shared/contract.js';

/** A save as sent: what decides whether a later one is the same save again. */
export type Sent = Pick<SaveMaskRequest, 'imageId' | 'mask' | 'av' | 'anatomy'> & {
  kind: 'draft' | 'approved';
};

/** What a save request carries besides its content. */
export type SaveIds = Required<Pick<SaveMaskRequest, 'saveId'>> & Pick<SaveMaskRequest, 'unansweredSaveIds'>;

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The same mask, labels and disc of the same image, whether sent as a draft or an approval. */
export function sameEdit(a: Sent, b: Sent): boolean {
  return (
    a.imageId === b.imageId &&
    JSON.stringify(a.anatomy ?? null) === JSON.stringify(b.anatomy ?? null) &&
    sameBytes(a.mask, b.mask) &&
    sameBytes(a.av, b.av)
  );
}

const sameSave = (a: Sent, b: Sent): boolean => a.kind === b.kind && sameEdit(a, b);

/**
 * Whether a save or an act that failed may have been made all the same: no answer came (the network, a proxy's
 * outage), or none that says what happened (an error page). An answer that refuses it (main's, or a proxy's body
 * limit: 413) says it was not.
 */
export function mayHaveBeenMade(err: unknown): boolean {
  return !(err instanceof RpcError) || err.code === 'unreachable' || err.code === 'internal';
}

export function newSaveId(): string {
  // getRandomValues, not randomUUID: the page may be served over plain HTTP to a network (not a secure context).
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `s-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export class UnansweredSaves {
  private ids: string[] = [];
  private last: { saveId: string; sent: Sent } | null = null;

  /** The ids for sending `sent`: its save's id (the unanswered one's when it is the same save again) and those. */
  idsFor(sent: Sent): SaveIds {
    const saveId = this.last && sameSave(this.last.sent, sent) ? this.last.saveId : newSaveId();
    return { saveId, ...(this.ids.length > 0 ? { unansweredSaveIds: [...this.ids] } : {}) };
  }

  /** `saveId` (sending `sent`) failed without main's answer that it refused it: it may have been saved. */
  unanswered(saveId: string, sent: Sent): void {
    if (!this.ids.includes(saveId)) this.ids = [...this.ids, saveId].slice(-MAX_UNANSWERED_SAVES);
    this.last = { saveId, sent };
  }

  /** Main answered a save (saved, or refused and kept): the window knows where it stands again. */
  answered(): void {
    this.ids = [];
    this.last = null;
  }
}

/**
 * The id of a restore or an adoption (one act, named by what it restores and the version it goes on): the same act
 * sent again until it is answered keeps its id, so main answers a retry whose first answer was lost with the draft it
 * made, instead of refusing it as stale against that draft.
 */
export class ActIds {
  private last: { act: string; saveId: string } | null = null;

  idFor(act: string): string {
    if (this.last?.act !== act) this.last = { act, saveId: newSaveId() };
    return this.last.saveId;
  }

  /**
   * An act sent before the page was loaded again, kept in the browser, and not made (as far as main knew when
   * asked): sent again, it keeps its id, so a request still on its way then is answered, not made twice.
   */
  resume(act: string, saveId: string): void {
    this.last ??= { act, saveId };
  }

  /** Main answered: the next act, even the same one, is a new act. */
  answered(): void {
    this.last = null;
  }
}
