// Each anatomy task's part of a retrain, beside the vessel comparison: skipped or failed with the reason, or the
// artery/vein or optic-disc candidate with both models' held-out scores, the gate's verdict in the task's measure,
// and the same decision as the vessel candidate (Promote, with a reason unless the gate found it better; or Keep).
import type { AnatomyRetrainPart } from '../../../shared/contract.js';
import { CandidateDecision } from './CandidateDecision.js';
import { GAIN_LABEL, heldOutSentence, partHeadline, partState } from './taskWords.js';
import { Verdict } from './Verdict.js';

function Part({ part, onDecided }: { part: AnatomyRetrainPart; onDecided: () => void | Promise<void> }) {
  const state = partState(part);
  const tone = state === 'promoted' || state === 'awaiting' ? 'up' : state === 'skipped' ? 'notice' : 'down';
  return (
    <div
      className={`anatomy-part tone-${tone}`}
      data-testid="anatomy-part"
      data-task={part.task}
      data-state={state}
    >
      <strong data-testid="anatomy-part-headline">{partHeadline(part)}</strong>
      {part.reason && <div data-testid="anatomy-part-reason">{part.reason}</div>}
      {part.heldOut && (
        <div className="muted" data-testid="anatomy-part-scores">
          {heldOutSentence(part.heldOut)}
        </div>
      )}
      {part.decision && part.heldOut && (
        <Verdict
          verdict={part.decision}
          heldOut={part.heldOut.scored ?? part.heldOut.images}
          gain={GAIN_LABEL[part.task]}
        />
      )}
      {state === 'awaiting' || state === 'not-better' ? (
        <CandidateDecision
          candidate={part.candidate!}
          better={part.decision?.better ?? false}
          parentName={part.parent?.name ?? 'the active model'}
          idPrefix="anatomy-"
          onDecided={onDecided}
        />
      ) : null}
    </div>
  );
}

export function AnatomyParts(props: { parts: AnatomyRetrainPart[]; onDecided: () => void | Promise<void> }) {
  if (props.parts.length === 0) return null;
  return (
    <div className="anatomy-parts" data-testid="anatomy-parts">
      <h4>Artery/vein and optic disc models</h4>
      {props.parts.map((p) => (
        <Part key={p.task} part={p} onDecided={props.onDecided} />
      ))}
    </div>
  );
}
