// The line under the viewer's header in team mode: the reviewer's comment on an image sent back, or that the
// image awaits review (and, to its reviewer, whose reading is still sent back); sent back twice, the earlier comment too.
import type { Handoff } from '../../../shared/contract.js';
import { handoffBanner } from './handoffWords.js';

export function HandoffBanner({ handoff }: { handoff: Handoff | null | undefined }) {
  if (!handoff) return null;
  const w = handoffBanner(handoff);
  return (
    <div
      className={`handoff-banner ${w.tone}`}
      role="status"
      data-testid="handoff-banner"
      data-state={w.tone}
    >
      <strong>{w.title}</strong>
      {w.comment && <span data-testid="handoff-comment"> {w.comment}</span>}
      {w.stillSentBack && <span data-testid="handoff-still-sent-back"> {w.stillSentBack}</span>}
      {w.earlier?.map((e, i) => (
        <div key={`${i}:${e.title}`} className="handoff-earlier" data-testid="handoff-earlier">
          <strong>{e.title}</strong> {e.comment}
        </div>
      ))}
    </div>
  );
}
