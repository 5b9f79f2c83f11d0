// Team mode's hand-off in words: the viewer's banner and the worklist's note. Pure, so every wording is tested
// without a browser.
import type { Handoff, ImageSummary } from '../../../shared/contract.js';
import { formatWhen } from '../review/reviewLabel.js';

/** The viewer header's hint for an annotator, who submits for review where others approve. */
export const ANNOTATOR_HINT = 'Saved as you edit; submit it for review when it is right.';

export interface HandoffBannerWords {
  tone: 'needs-work' | 'awaiting-review';
  title: string;
  /** The reviewer's comment, as written; null when there is none. */
  comment: string | null;
  /** To a reviewer of an image read by several: whose reading is still sent back, though another's was resubmitted. */
  stillSentBack?: string;
  /** To a reader sent back again before resubmitting: the earlier comments they have not answered, oldest first. */
  earlier?: { title: string; comment: string }[];
}

/** The readers still to answer a send-back, while the image awaits review of another's; null when none. */
function stillSentBack(h: Handoff): string | null {
  const who = h.state === 'awaiting-review' ? (h.sentBackTo ?? []) : [];
  if (who.length === 0) return null;
  const names = who.map((n) => `${n}'s`);
  const list =
    names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${list} ${who.length === 1 ? 'reading is' : 'readings are'} sent back and not resubmitted yet`;
}

export function handoffBanner(h: Handoff): HandoffBannerWords {
  if (h.state === 'needs-work') {
    const earlier = (h.earlier ?? []).map((e) => ({
      title: `Also sent back by ${e.by}, ${formatWhen(e.at)}:`,
      comment: e.comment,
    }));
    return {
      tone: 'needs-work',
      title: `Sent back by ${h.by}, ${formatWhen(h.at)}:`,
      comment: h.comment,
      ...(earlier.length > 0 ? { earlier } : {}),
    };
  }
  const still = stillSentBack(h);
  return {
    tone: 'awaiting-review',
    title: `Submitted for review by ${h.by}, ${formatWhen(h.at)}`,
    comment: null,
    ...(still ? { stillSentBack: `${still[0].toUpperCase()}${still.slice(1)}.` } : {}),
  };
}

/** "anna, otto · awaiting review" (and whose reading is still sent back): who the image is assigned to and where its hand-off stands; null when neither. */
export function worklistTeamNote(im: Pick<ImageSummary, 'assignees' | 'handoff'>): string | null {
  const parts: string[] = [];
  if (im.assignees && im.assignees.length > 0) parts.push(im.assignees.join(', '));
  if (im.handoff) parts.push(im.handoff.state === 'needs-work' ? 'needs work' : 'awaiting review');
  const still = im.handoff ? stillSentBack(im.handoff) : null;
  if (still) parts.push(still);
  return parts.length > 0 ? parts.join(' · ') : null;
}
