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
}

export function handoffBanner(h: Handoff): HandoffBannerWords {
  return h.state === 'needs-work'
    ? { tone: 'needs-work', title: `Sent back by ${h.by}, ${formatWhen(h.at)}:`, comment: h.comment }
    : {
        tone: 'awaiting-review',
        title: `Submitted for review by ${h.by}, ${formatWhen(h.at)}`,
        comment: null,
      };
}

/** "anna, otto · awaiting review": who the image is assigned to and where its hand-off stands; null when neither. */
export function worklistTeamNote(im: Pick<ImageSummary, 'assignees' | 'handoff'>): string | null {
  const parts: string[] = [];
  if (im.assignees && im.assignees.length > 0) parts.push(im.assignees.join(', '));
  if (im.handoff) parts.push(im.handoff.state === 'needs-work' ? 'needs work' : 'awaiting review');
  return parts.length > 0 ? parts.join(' · ') : null;
}
