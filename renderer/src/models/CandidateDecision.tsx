// A person's decision on a retrain's candidate, for a model of any task: Promote (one click when the gate found it
// better, otherwise only with a reason, recorded as an override) or Keep the active model (the candidate is retired).
import { useRef, useState } from 'react';
import type { ModelSummary } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';

export function CandidateDecision(props: {
  candidate: ModelSummary;
  better: boolean;
  parentName: string;
  /** Prefixes the test ids, so each task's decision has its own. */
  idPrefix?: string;
  onDecided: () => void | Promise<void>;
}) {
  const { candidate: cand, better, parentName, idPrefix = '' } = props;
  const { client, report, notify } = useApp();
  const [reason, setReason] = useState('');
  const [needReason, setNeedReason] = useState(false);
  const [busy, setBusy] = useState(false);
  const reasonBox = useRef<HTMLInputElement>(null);
  const reasonId = `${idPrefix}promote-reason-needed`;

  const decide = async (action: 'promote' | 'keep') => {
    if (action === 'promote' && !better && !reason.trim()) {
      setNeedReason(true);
      reasonBox.current?.focus();
      return;
    }
    setNeedReason(false);
    setBusy(true);
    try {
      if (action === 'promote') {
        const r = await client.invoke('promoteModel', {
          modelId: cand.id,
          ...(reason.trim() ? { reason: reason.trim() } : {}),
        });
        notify(`${r.model.name} is now the active model`, 'info');
      } else {
        await client.invoke('rejectModel', { modelId: cand.id });
        notify(`Kept ${parentName}`, 'info');
      }
      await props.onDecided();
    } catch (err) {
      report(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="cmp-actions">
      {!better && (
        <input
          ref={reasonBox}
          data-testid={`${idPrefix}promote-reason`}
          aria-label="Reason for promoting anyway"
          aria-invalid={needReason}
          aria-describedby={needReason ? reasonId : undefined}
          placeholder="reason for promoting anyway (required)"
          value={reason}
          onChange={(e) => {
            setReason(e.target.value);
            if (e.target.value.trim()) setNeedReason(false);
          }}
        />
      )}
      <button
        className="primary"
        data-testid={`${idPrefix}promote`}
        disabled={busy}
        onClick={() => void decide('promote')}
      >
        {better ? 'Promote' : 'Promote anyway'}
      </button>
      <button data-testid={`${idPrefix}keep`} disabled={busy} onClick={() => void decide('keep')}>
        Keep {parentName}
      </button>
      {needReason && (
        <span className="down" role="alert" id={reasonId} data-testid={`${idPrefix}reason-required`}>
          A reason is required to promote a model the gate did not find better.
        </span>
      )}
    </div>
  );
}
