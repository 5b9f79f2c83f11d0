// The model registry: every model with its lineage (parent, run, masks trained on, held-out comparison, why it
// was promoted), which one is in use, Retrain with its live progress (or why it cannot start), the comparison
// of the latest run, the gate's margin, and rollback after a confirmation.
import { useCallback, useEffect, useState } from 'react';
import { RpcError, type ModelSummary, type RetrainStatus } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { RetrainComparison } from './RetrainComparison.js';
import { RetrainProgress } from './RetrainProgress.js';
import { RollbackDialog } from './RollbackDialog.js';
import './models.css';

/** What the status column says: the model predictions use is "in use", whatever the registry calls it. */
function statusLabel(m: ModelSummary, inUseId: string | null): string {
  return m.id === inUseId ? 'in use' : m.status;
}

export function ModelsScreen() {
  const { client, report, notify, model: inUse } = useApp();
  const [models, setModels] = useState<ModelSummary[]>([]);
  const [status, setStatus] = useState<RetrainStatus | null>(null);
  const [newApprovals, setNewApprovals] = useState(0);
  const [autoAfter, setAutoAfter] = useState(0);
  const [margin, setMargin] = useState('0');
  const [shownRun, setShownRun] = useState<string | null>(null);
  const [rollbackOf, setRollbackOf] = useState<ModelSummary | null>(null);

  const refresh = useCallback(async () => {
    try {
      const [list, st] = await Promise.all([
        client.invoke('listModels', {}),
        client.invoke('getRetrainStatus', {}),
      ]);
      setModels(list.models);
      setStatus(st.status);
      setNewApprovals(st.newApprovals);
      setAutoAfter(st.autoRetrainAfter);
      setMargin(String(st.promotionMargin));
    } catch (err) {
      report(err);
    }
  }, [client, report]);

  useEffect(() => {
    void refresh();
    const offProgress = client.on('retrainProgress', (s) => {
      setStatus(s);
      if (s.state !== 'running') {
        if (s.state === 'succeeded' && s.runId) setShownRun(s.runId);
        void refresh();
      }
    });
    const offActive = client.on('activeModelChanged', () => void refresh());
    return () => {
      offProgress();
      offActive();
    };
  }, [client, refresh]);

  const running = status?.state === 'running';
  const byId = new Map(models.map((m) => [m.id, m]));

  const retrain = async () => {
    setShownRun(null);
    try {
      const { runId } = await client.invoke('startRetrain', {});
      notify(`Retrain started (run ${runId})`, 'info');
    } catch (err) {
      // A refusal (nothing to judge on, nothing new) is explained in the progress panel, not as an error toast.
      if (err instanceof RpcError && err.code === 'conflict') await refresh();
      else report(err);
    }
  };

  const rollback = async (m: ModelSummary, reason: string) => {
    setRollbackOf(null);
    try {
      await client.invoke('rollbackModel', {
        modelId: m.id,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      });
      notify(`Rolled back to ${m.name}`, 'info');
      await refresh();
    } catch (err) {
      report(err);
    }
  };

  const saveMargin = async () => {
    const n = Number(margin);
    if (!Number.isFinite(n) || n < 0 || n > 0.5) {
      notify('The promotion margin is an F1 difference between 0 and 0.5');
      return;
    }
    try {
      setMargin(String((await client.invoke('setRetrainSettings', { promotionMargin: n })).promotionMargin));
    } catch (err) {
      report(err);
    }
  };

  const saveAuto = async (n: number) => {
    try {
      setAutoAfter((await client.invoke('setRetrainSettings', { autoRetrainAfter: n })).autoRetrainAfter);
    } catch (err) {
      report(err);
    }
  };

  return (
    <div className="models-screen" data-testid="models-screen">
      <div className="toolbar">
        <strong>Models</strong>
        <span className="muted" data-testid="new-approvals">
          {newApprovals} approved mask{newApprovals === 1 ? '' : 's'} new since the last retrain
        </span>
        <span className="spacer" />
        <label
          className="muted"
          title="Promote a new model only when the lower end of the 95% interval of its F1 gain is above this"
        >
          Promote only if the F1 gain's 95% interval is above{' '}
          <input
            type="number"
            min={0}
            max={0.5}
            step={0.005}
            className="auto-after"
            data-testid="promotion-margin"
            aria-label="Promotion margin (F1)"
            value={margin}
            onChange={(e) => setMargin(e.target.value)}
            onBlur={() => void saveMargin()}
          />
        </label>
        <label className="muted">
          Retrain by itself after{' '}
          <input
            type="number"
            min={0}
            className="auto-after"
            data-testid="auto-after"
            aria-label="Retrain by itself after this many new approvals"
            value={autoAfter}
            onChange={(e) => setAutoAfter(Math.max(0, Math.floor(Number(e.target.value) || 0)))}
            onBlur={() => void saveAuto(autoAfter)}
          />{' '}
          new approvals (0: only when asked)
        </label>
        <button className="primary" data-testid="retrain" disabled={running} onClick={() => void retrain()}>
          Retrain
        </button>
      </div>
      <div className="models-body">
        {status && <RetrainProgress status={status} />}
        {rollbackOf && (
          <RollbackDialog
            model={rollbackOf}
            current={models.find((m) => m.status === 'active') ?? null}
            onConfirm={(reason) => void rollback(rollbackOf, reason)}
            onCancel={() => setRollbackOf(null)}
          />
        )}
        {shownRun && <RetrainComparison key={shownRun} runId={shownRun} onDecided={() => void refresh()} />}
        <table className="models-table" data-testid="models-table">
          <thead>
            <tr>
              <th>Model</th>
              <th>Status</th>
              <th>Parent</th>
              <th>Trained on</th>
              <th>Held-out F1 (vs parent)</th>
              <th>Last promotion</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {[...models].reverse().map((m) => (
              <tr
                key={m.id}
                data-testid="model-row"
                data-model-id={m.id}
                data-status={m.status}
                data-in-use={String(m.id === inUse?.id)}
              >
                <td>
                  {m.name}
                  <span className="small muted">
                    {m.architecture} · {new Date(m.createdAt).toLocaleString()}
                  </span>
                </td>
                <td>
                  <span
                    className={`model-status ${m.id === inUse?.id ? 'active' : m.status}`}
                    data-testid="model-status"
                  >
                    {statusLabel(m, inUse?.id ?? null)}
                  </span>
                </td>
                <td>{m.parentId ? (byId.get(m.parentId)?.name ?? m.parentId) : '—'}</td>
                <td>{m.trainedOnMasks ? `${m.trainedOnMasks} approved masks` : m.metrics?.dataset || '—'}</td>
                <td>
                  {m.heldOut
                    ? `${m.heldOut.f1.toFixed(4)} (${m.heldOut.parentF1.toFixed(4)}, ${m.heldOut.images} images)`
                    : m.metrics
                      ? `test ${m.metrics.f1.toFixed(4)}`
                      : '—'}
                </td>
                <td>
                  {m.lastPromotion && (
                    <span className="muted">
                      {m.lastPromotion.rollback
                        ? 'rollback'
                        : m.lastPromotion.override
                          ? 'override'
                          : 'promoted'}
                      {m.lastPromotion.reason ? `: ${m.lastPromotion.reason}` : ''}
                    </span>
                  )}
                </td>
                <td className="actions">
                  <div>
                    {m.trainingRunId && (
                      <button data-testid="show-run" onClick={() => setShownRun(m.trainingRunId ?? null)}>
                        Comparison
                      </button>
                    )}
                    {m.status === 'retired' && m.promotedAt && (
                      <button data-testid="rollback" disabled={running} onClick={() => setRollbackOf(m)}>
                        Roll back to this
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
