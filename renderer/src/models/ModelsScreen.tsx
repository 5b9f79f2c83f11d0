// The model registry: every task's models (vessel, artery/vein, optic disc) with their lineage (parent, run, masks
// trained on, held-out comparison, why it was promoted), which one each task uses, Retrain with its live progress
// (or why it cannot start), the comparison of the latest run (every task's part), the gate's margin, and rollback
// after a confirmation.
import { useCallback, useEffect, useState } from 'react';
import {
  MODEL_TASKS,
  RpcError,
  type InstalledModelSummary,
  type ModelSummary,
  type ModelTask,
  type RetrainStatus,
} from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { ModelTable } from './ModelTable.js';
import { RetrainComparison } from './RetrainComparison.js';
import { RetrainProgress } from './RetrainProgress.js';
import { RollbackDialog } from './RollbackDialog.js';
import { taskOf } from './taskWords.js';
import './models.css';

/** The task's active model: the one its predictions use (an anatomy model is used only once active). */
function activeOf(models: ModelSummary[], task: ModelTask): ModelSummary | null {
  return models.find((m) => m.status === 'active' && taskOf(m) === task) ?? null;
}

export function ModelsScreen() {
  const { client, report, notify, model: inUse } = useApp();
  const [models, setModels] = useState<ModelSummary[]>([]);
  const [installed, setInstalled] = useState<InstalledModelSummary[]>([]);
  const [status, setStatus] = useState<RetrainStatus | null>(null);
  const [newApprovals, setNewApprovals] = useState(0);
  const [autoAfter, setAutoAfter] = useState(0);
  const [margin, setMargin] = useState('0');
  const [shownRun, setShownRun] = useState<string | null>(null);
  const [rollbackOf, setRollbackOf] = useState<ModelSummary | null>(null);

  const refresh = useCallback(async () => {
    try {
      const [list, st] = await Promise.all([
        client.invoke('listModels', { task: 'all' }),
        client.invoke('getRetrainStatus', {}),
      ]);
      setModels(list.models);
      setInstalled(list.installed ?? []);
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
            current={activeOf(models, taskOf(rollbackOf))}
            onConfirm={(reason) => void rollback(rollbackOf, reason)}
            onCancel={() => setRollbackOf(null)}
          />
        )}
        {shownRun && <RetrainComparison key={shownRun} runId={shownRun} onDecided={() => void refresh()} />}
        {MODEL_TASKS.map((task) => (
          <ModelTable
            key={task}
            task={task}
            models={models.filter((m) => taskOf(m) === task)}
            installed={installed.find((i) => i.task === task) ?? null}
            byId={byId}
            inUseId={task === 'vessel' ? (inUse?.id ?? null) : (activeOf(models, task)?.id ?? null)}
            running={running}
            onShowRun={setShownRun}
            onRollback={setRollbackOf}
          />
        ))}
      </div>
    </div>
  );
}
