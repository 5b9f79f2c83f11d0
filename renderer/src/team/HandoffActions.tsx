// Team mode's review actions in the viewer's panel: an annotator submits their draft for review; a reviewer (or
// admin) sends the image back with a comment. Approve stays the panel's own button (hidden from annotators).
import { useState } from 'react';
import type { ReviewState } from '../../../shared/contract.js';
import { mayCall } from '../../../shared/roles.js';
import { useApp } from '../appContext.js';
import { SendBackDialog } from './SendBackDialog.js';

export interface HandoffActionsProps {
  imageId: string;
  fileName: string;
  review: ReviewState | null;
  /** Saves any waiting draft first, so what is submitted is what is on screen. */
  flush: () => Promise<void>;
  onReview: (review: ReviewState) => void;
}

export function HandoffActions({ imageId, fileName, review, flush, onReview }: HandoffActionsProps) {
  const { client, account, notify, report } = useApp();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  if (!account || !review) return null;

  const act = async (work: () => Promise<{ review: ReviewState }>, done: string) => {
    setBusy(true);
    try {
      onReview((await work()).review);
      notify(done, 'info');
    } catch (err) {
      report(err);
    } finally {
      setBusy(false);
    }
  };
  const submit = () =>
    act(async () => {
      await flush();
      return client.invoke('submitForReview', { imageId });
    }, 'Submitted for review.');
  // The dialog stays until the answer: closed at once, it handed focus back to its opener while that was disabled
  // for the send (focus dropped to the page); refused, the comment would have been lost.
  const sendBack = async (comment: string) => {
    let sent = false;
    await act(async () => {
      const r = await client.invoke('sendBack', { imageId, comment });
      sent = true;
      return r;
    }, 'Sent back to the annotator.');
    if (sent) setAsking(false);
  };

  const awaiting = review.handoff?.state === 'awaiting-review';
  return (
    <>
      {account.role === 'annotator' && (
        <button
          className="primary big"
          data-testid="submit-review"
          onClick={() => void submit()}
          disabled={busy || review.status === 'approved'}
          title="Hand your corrected mask to the reviewers"
        >
          {awaiting ? 'Submit again' : 'Submit for review'}
        </button>
      )}
      {mayCall(account.role, 'sendBack') && (
        <button
          data-testid="send-back"
          onClick={() => setAsking(true)}
          disabled={busy || review.status === 'approved'}
          title="Return the image to its annotator with a comment saying what to fix"
        >
          Send back…
        </button>
      )}
      {asking && (
        <SendBackDialog
          fileName={fileName}
          busy={busy}
          onSend={(comment) => void sendBack(comment)}
          onCancel={() => setAsking(false)}
        />
      )}
    </>
  );
}
