// Two-reader mode in the reviewer's viewer: each reader's own latest draft (a reader taken off the image too, so
// marked), which of them is on screen, how well they agree (Dice), and the adjudication: approve one reader's draft
// as it is. (An edited merge is the ordinary edit, then Approve.)
import { windowClientId } from '../viewer/windowClientId.js';
import { useCallback, useEffect, useState } from 'react';
import type { ReadersPayload, ReviewState } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';

export interface ReadersSectionProps {
  imageId: string;
  /** Bumped when the image's masks changed, so the readers' drafts are asked for again. */
  version: string;
  /** The version the mask on screen is, unedited; null while an edit is not saved yet. */
  shownVersionId: string | null;
  onApproved: (review: ReviewState) => void;
}

export const formatDice = (d: number | null): string => (d === null ? '–' : d.toFixed(3));

export function ReadersSection({ imageId, version, shownVersionId, onApproved }: ReadersSectionProps) {
  const { client, notify, report } = useApp();
  const [readers, setReaders] = useState<ReadersPayload | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    client.invoke('getReaders', { imageId }).then((r) => live && setReaders(r), report);
    return () => {
      live = false;
    };
  }, [client, imageId, version, report]);

  const approve = useCallback(
    async (name: string) => {
      const draft = readers?.readers.find((r) => r.name === name)?.draft;
      if (!readers || !draft) return;
      setBusy(true);
      try {
        const saved = await client.invoke('approveMask', {
          imageId,
          width: readers.width,
          height: readers.height,
          mask: draft.data,
          // As it is: the reader's artery/vein labels and disc go with the pixels, or the approval would have none.
          ...(draft.av ? { av: draft.av } : {}),
          ...(draft.anatomy
            ? {
                anatomy: {
                  disc: draft.anatomy.disc,
                  fovea: draft.anatomy.fovea,
                  laterality: draft.anatomy.laterality,
                },
              }
            : {}),
          parentVersionId: draft.versionId,
          clientId: windowClientId(),
        });
        onApproved(saved.review);
        notify(`Approved ${name}'s draft (version ${saved.version}).`, 'info');
      } catch (err) {
        report(err);
      } finally {
        setBusy(false);
      }
    },
    [client, imageId, notify, onApproved, readers, report],
  );

  if (!readers || readers.readers.length < 2) return null;
  return (
    <section className="readers" data-testid="readers">
      <h4>Readers</h4>
      <div data-testid="readers-dice">Agreement (Dice) {formatDice(readers.dice)}</div>
      {readers.readers.map((r) => (
        <div key={r.name} className="reader" data-testid={`reader-${r.name}`}>
          <span>
            {r.name}: {r.draft ? `version ${r.draft.version}` : 'no draft yet'}
            {r.removed && <em data-testid="reader-removed"> · no longer assigned</em>}
            {/* The viewer shows the image's newest draft, whoever's: whose it is decides what Approve takes. */}
            {r.draft && r.draft.versionId === shownVersionId && (
              <strong data-testid="reader-shown"> · shown</strong>
            )}
          </span>
          <button
            disabled={busy || !r.draft}
            onClick={() => void approve(r.name)}
            data-testid={`approve-reader-${r.name}`}
            title={`Approve ${r.name}'s draft as it is`}
          >
            Approve {r.name}&apos;s
          </button>
        </div>
      ))}
    </section>
  );
}
