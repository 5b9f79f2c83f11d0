// One editor per image: the rules of edit leases and of stale saves, as pure functions over times in milliseconds,
// so the store (which records leases), the handlers and the viewer (which shows them) decide the same way.
// Plain TypeScript only: no Node, Electron or DOM imports.
import { zoneName } from './local-time.js';

/** A lease not renewed for this long has expired (the viewer renews it every heartbeatMs of it). */
export const LEASE_DURATION_MS = 30_000;

/** How often the holder's viewer renews its lease: a third of the duration, so two missed beats still hold. */
export function heartbeatMs(durationMs: number): number {
  return Math.max(50, Math.floor(durationMs / 3));
}

/** A recorded lease: who edits the image (the name shown to others) and from which window. */
export interface LeaseRecord {
  holder: string;
  clientId: string;
  /** ISO times. */
  acquiredAt: string;
  expiresAt: string;
}

export function leaseLive(lease: Pick<LeaseRecord, 'expiresAt'>, nowMs: number): boolean {
  return Date.parse(lease.expiresAt) > nowMs;
}

/**
 * What a request for the lease gets: 'acquire' (nobody holds it), 'renew' (this window holds it, expired or not),
 * 'take-over' (another's lease expired and the caller asked to take it over), 'busy' (another holds it and it is
 * live), 'expired' (another's lease expired, but taking it over must be asked for explicitly).
 */
export type LeaseDecision = 'acquire' | 'renew' | 'take-over' | 'busy' | 'expired';

export function leaseDecision(
  current: LeaseRecord | null,
  clientId: string,
  nowMs: number,
  takeOver: boolean,
): LeaseDecision {
  if (!current) return 'acquire';
  if (current.clientId === clientId) return 'renew';
  if (leaseLive(current, nowMs)) return 'busy';
  return takeOver ? 'take-over' : 'expired';
}

/** Why an editor's save is refused, or null when it may be saved. */
export type SaveRefusal =
  | { kind: 'lease'; holder: string; since: string }
  /** `own`: the approval is the saver's own, made by a save of this window whose answer was lost. */
  | { kind: 'stale'; by: string; at: string; approved?: boolean; own?: boolean }
  | { kind: 'handed-off'; why: string };

/**
 * The save rule. `current` is the image's newest draft or approval (null when a person never saved one); `parentId`
 * the version the edit started from; `handedOff` why the image is not the saver's to edit in a team's hand-off
 * (null: it is). A save is refused when the image was handed on, while another window holds a live lease, and when
 * the image's current line moved past the version the edit started from (someone saved after it was opened).
 */
export function saveRefusal(opts: {
  lease: LeaseRecord | null;
  clientId: string | null;
  nowMs: number;
  current: { id: number; author: string; createdAt: string; kind?: string } | null;
  parentId: number | null;
  handedOff?: string | null;
}): SaveRefusal | null {
  const { lease, clientId, nowMs, current, parentId } = opts;
  if (opts.handedOff) return { kind: 'handed-off', why: opts.handedOff };
  if (lease && lease.clientId !== clientId && leaseLive(lease, nowMs)) {
    return { kind: 'lease', holder: lease.holder, since: lease.acquiredAt };
  }
  if (current && current.id !== parentId)
    return {
      kind: 'stale',
      by: current.author,
      at: current.createdAt,
      ...(current.kind === 'approved' ? { approved: true } : {}),
    };
  return null;
}

/** "HH:MM" of an ISO time, in this machine's time zone. */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '--:--';
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/**
 * "HH:MM" and this machine's time zone ("14:30 GMT+5:30", "09:00 UTC"): a message main writes may be read in a
 * browser in another zone (a team server run in UTC), where a bare time is hours off the user's clock.
 */
export function zonedClockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '--:--';
  const zone = zoneName(d);
  return zone ? `${clockTime(iso)} ${zone}` : clockTime(iso);
}

/** The marker others see: "being edited by X since HH:MM" (main's messages pass zonedClockTime). */
export function beingEditedText(holder: string, sinceIso: string, clock = clockTime): string {
  return `being edited by ${holder} since ${clock(sinceIso)}`;
}

/**
 * Why a save was refused, ending in what became of the edit: a kept draft's number ("your edit is kept as draft #12")
 * or other words ("nothing was restored").
 */
export function refusalMessage(refusal: SaveRefusal, fileName: string, keptDraft: number | string): string {
  const kept = typeof keptDraft === 'number' ? `your edit is kept as draft #${keptDraft}` : keptDraft;
  if (refusal.kind === 'lease')
    return `${fileName} is ${beingEditedText(refusal.holder, refusal.since, zonedClockTime)}; ${kept}`;
  if (refusal.kind === 'handed-off')
    return `${fileName} was ${refusal.why.replace(/\.$/, '')}. Meanwhile ${kept}.`;
  if (refusal.own)
    return `${fileName} was approved by you at ${zonedClockTime(refusal.at)}, though the answer never reached this window; reopen it to edit the approved mask: ${kept}`;
  const how = refusal.approved ? 'approved' : 'saved';
  return `${fileName} was ${how} by ${refusal.by} at ${zonedClockTime(refusal.at)} after you opened it; ${kept}`;
}

/** The kept draft a refusal message names ("... kept as draft #12" gives "12"); null for any other message. */
export function keptDraftOf(message: string): string | null {
  return /kept as draft #(\d+)\b/.exec(message)?.[1] ?? null;
}

/** Pixels where two same-sized 0/1 masks disagree: how far a kept draft is from the current mask. */
export function differingPixels(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length)
    throw new RangeError(`masks of ${a.length} and ${b.length} pixels differ in size`);
  let n = 0;
  for (let i = 0; i < a.length; i++) if ((a[i] !== 0) !== (b[i] !== 0)) n++;
  return n;
}
