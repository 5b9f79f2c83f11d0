// The line under the review header that says why the viewer is not editing, with the way out: another window's
// lease (read-only; "Take over" once it expired), a refused save (its kept draft, or the latest mask), or a kept
// draft or an earlier version from the History being looked at (adopt or restore it, or go back to the current mask).
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useFocusHandOff } from '../focusHandOff.js';
import type { AnatomyPayload, KeptDraftPayload, MaskVersionPreview } from '../../../shared/contract.js';
import type { LeaseView } from './leaseStatus.js';
import type { SaveRefused } from './useAutosave.js';
import { alsoDiffersWords, noOwnLabelsWords } from './alsoDiffersWords.js';

/** An earlier version as the notice names it. */
export type EarlierVersion = Omit<MaskVersionPreview, 'data' | 'av' | 'anatomy'> & {
  /** What it has of its own: artery/vein labels, a disc (without them its A/V layer is empty). */
  own: { av: boolean; disc: boolean };
};
/** A kept draft as the notice names it. */
export type KeptVersion = Omit<KeptDraftPayload, 'data' | 'av' | 'anatomy'>;

const KIND_WORDS: Record<EarlierVersion['kind'], string> = {
  prediction: 'predicted by',
  draft: 'drafted by',
  approved: 'approved by',
};

export type KeptPreview = (
  { kept: KeptVersion; earlier?: undefined } | { earlier: EarlierVersion; kept?: undefined }
) & {
  /** The current version it is compared with, and what adopting it builds on. */
  currentVersionId: string | null;
  /** The version the viewer shows as current (the prediction while nothing is saved): not restored over itself. */
  shownVersionId: string | null;
  differing: number;
  /** The current mask's disc and fovea, drawn apart from the shown one's. */
  currentAnatomy: AnatomyPayload | null;
};

export interface EditNoticeProps {
  lease: LeaseView;
  onTakeOver: () => void;
  refused: SaveRefused | null;
  onOpenKept: (keptDraftId: string) => void;
  onLoadLatest: () => void;
  preview: KeptPreview | null;
  onAdopt: () => void;
  busy: boolean;
  /** The image is approved: an earlier version is restored only after a reopen. */
  approved?: boolean;
}

/** Another mask shown over the current one (a kept draft, an earlier version): what it is, and the way on or back. */
function PreviewNotice(props: {
  testId: string;
  what: string;
  differing: number;
  /** What else differs that the vessels on screen do not show (labels, the disc). */
  also?: string | null;
  /** What it has none of its own of (labels, a disc): its A/V layer is empty, not a mask with nothing labelled. */
  lacks?: string | null;
  action: ReactNode;
  p: EditNoticeProps;
}) {
  // Opened from the History (or a kept draft's entry) far below it in the panel: focus moves to it, so its
  // Restore is the next Tab and a screen reader reads what is shown; when it goes (back, restored), focus goes back
  // to the control that opened it, else to the History's list, not to the page's body.
  const ref = useRef<HTMLDivElement | null>(null);
  const [opener] = useState(() => document.activeElement);
  useLayoutEffect(() => ref.current?.focus(), []);
  useFocusHandOff(
    ref,
    () =>
      opener instanceof HTMLElement && opener.isConnected && opener !== document.body
        ? opener
        : document.querySelector<HTMLElement>('[data-testid="history-entries"]'),
    true,
  );
  return (
    <div className="edit-notice" role="status" data-testid={props.testId} ref={ref} tabIndex={-1}>
      <span>
        {props.what}: it differs from the current mask at {props.differing.toLocaleString()} pixels
        (Difference <kbd>D</kbd> shows where).
      </span>
      {props.also && <span data-testid="version-also-differs">{props.also}</span>}
      {props.lacks && <span data-testid="version-no-labels">{props.lacks}</span>}
      {props.action}
      <button onClick={props.p.onLoadLatest} disabled={props.p.busy}>
        Back to the current mask
      </button>
    </div>
  );
}

/** A save refused and kept: the way to its kept draft, and (unless a preview has its own way back) to the latest. */
function RefusedNotice({ p, refused }: { p: EditNoticeProps; refused: SaveRefused }) {
  const id = refused.keptDraftId;
  return (
    <div className="edit-notice warn" role="alert" data-testid="save-refused">
      {/* Some reasons end in a full stop of their own ("...sends it back."). */}
      <span>Not saved: {refused.message.replace(/\.$/, '')}.</span>
      <button onClick={() => p.onOpenKept(id)} disabled={p.busy} data-testid="open-refused-kept">
        Open draft #{id}
      </button>
      {!p.preview && (
        <button onClick={p.onLoadLatest} disabled={p.busy}>
          Load the latest mask
        </button>
      )}
    </div>
  );
}

export function EditNotice(p: EditNoticeProps) {
  const acting = p.busy || p.lease.readOnly;
  if (p.preview?.earlier) {
    const { earlier: v, differing } = p.preview;
    // An earlier version opened after a refused save: the refusal stays said (else the user never learns of it).
    return (
      <>
        {p.refused && <RefusedNotice p={p} refused={p.refused} />}
        <PreviewNotice
          key={v.versionId}
          testId="version-preview"
          what={`Version ${v.version}, ${KIND_WORDS[v.kind]} ${v.author}`}
          differing={differing}
          also={alsoDiffersWords(v.alsoDiffers)}
          lacks={noOwnLabelsWords(v.own, v.alsoDiffers)}
          p={p}
          action={
            v.versionId === p.preview.shownVersionId ? (
              <span data-testid="version-is-current">This is the current mask: nothing to restore.</span>
            ) : p.approved ? (
              <span data-testid="version-needs-reopen">
                Approved: go back to the current mask and reopen it for editing to restore this version.
              </span>
            ) : (
              <button onClick={p.onAdopt} disabled={acting} data-testid="restore-version">
                Restore as the current mask
              </button>
            )
          }
        />
      </>
    );
  }
  if (p.preview?.kept) {
    const { kept, differing } = p.preview;
    return (
      <PreviewNotice
        key={kept.id}
        testId="kept-preview"
        what={`Kept draft #${kept.id} by ${kept.author}`}
        differing={differing}
        also={alsoDiffersWords(kept.alsoDiffers, 'Adopting')}
        p={p}
        action={
          <button onClick={p.onAdopt} disabled={acting} data-testid="adopt-kept">
            Adopt as the current mask
          </button>
        }
      />
    );
  }
  if (p.refused) return <RefusedNotice p={p} refused={p.refused} />;
  if (!p.lease.text) return null;
  return (
    <div className="edit-notice" role="status" data-testid="lease-notice" data-mode={p.lease.mode}>
      <span>{p.lease.text}</span>
      {p.lease.canTakeOver && (
        <button
          onClick={p.onTakeOver}
          data-testid="take-over"
          title="Edit this image here (recorded in the audit log)"
        >
          Take over
        </button>
      )}
    </div>
  );
}
