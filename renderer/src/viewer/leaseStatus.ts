// What the viewer makes of an edit lease answer: whether it may edit, the line it shows, and whether "Take over"
// is offered (only for another's expired lease). Pure, so the rules are tested without a browser.
import type { EditLeaseState } from '../../../shared/contract.js';
import { beingEditedText, clockTime } from '../../../shared/edit-lease.js';

export type LeaseMode = 'checking' | 'editing' | 'free' | 'read-only' | 'expired';

export interface LeaseView {
  mode: LeaseMode;
  /** Editing tools off: another window edits the image (or did, and its lease has not been taken over). */
  readOnly: boolean;
  /** The banner's line; null when there is nothing to say. */
  text: string | null;
  canTakeOver: boolean;
}

export function leaseView(state: EditLeaseState | null): LeaseView {
  // Until the first answer the viewer edits: a save made meanwhile is checked by main (and kept if refused).
  if (!state) return { mode: 'checking', readOnly: false, text: null, canTakeOver: false };
  if (state.granted) return { mode: 'editing', readOnly: false, text: null, canTakeOver: false };
  if (state.heldBack)
    return { mode: 'read-only', readOnly: true, text: `Read-only: ${state.heldBack}`, canTakeOver: false };
  const lease = state.lease;
  if (!lease)
    return { mode: 'free', readOnly: true, text: 'Taking this image for editing…', canTakeOver: false };
  const who = beingEditedText(lease.holder, lease.since);
  if (lease.live) {
    return {
      mode: 'read-only',
      readOnly: true,
      text: `Read-only: ${who}. It opens for editing here once they close it.`,
      canTakeOver: false,
    };
  }
  return {
    mode: 'expired',
    readOnly: true,
    text: `Read-only: ${who}, but their lease expired at ${clockTime(lease.expiresAt)} (no sign of them since).`,
    canTakeOver: true,
  };
}
