// One task's models in the registry: lineage (parent, what it was trained on), the held-out comparison with its
// parent in the task's measure, which one is in use, the latest promotion and why, and the actions on a row (its
// retrain's comparison, where a candidate is promoted or kept; rollback to a model that was active before).
import { useRef } from 'react';
import type { InstalledModelSummary, ModelSummary, ModelTask } from '../../../shared/contract.js';
import { useFocusHandOff } from '../focusHandOff.js';
import { heldOutCell, TASK_NAME, TASK_TITLE } from './taskWords.js';

export function ModelTable(props: {
  task: ModelTask;
  /** The task's models, oldest first. */
  models: ModelSummary[];
  /** The installed model predictions use while the registry holds none of this task (anatomy tasks). */
  installed?: InstalledModelSummary | null;
  /** Every task's models by id (a parent's name). */
  byId: Map<string, ModelSummary>;
  /** The model predictions of this task use. */
  inUseId: string | null;
  running: boolean;
  onShowRun: (runId: string) => void;
  onRollback: (m: ModelSummary) => void;
}) {
  const { task, models, byId, inUseId } = props;
  return (
    <section
      className="model-task"
      data-testid="model-task"
      data-task={task}
      tabIndex={-1}
      aria-labelledby={`model-task-${task}`}
    >
      <h4 id={`model-task-${task}`}>{TASK_TITLE[task]}</h4>
      {models.length === 0 && props.installed ? (
        <InstalledModel task={task} model={props.installed} />
      ) : models.length === 0 ? (
        <div className="muted" data-testid="no-models">
          No {TASK_NAME[task]} model is installed or in the registry: predictions carry no {TASK_NAME[task]}{' '}
          {task === 'optic-disc' ? 'marker' : 'labels'}.
        </div>
      ) : (
        <table className="models-table" data-testid="models-table">
          <thead>
            <tr>
              <th>Model</th>
              <th>Status</th>
              <th>Parent</th>
              <th>Trained on</th>
              <th>Held-out {task === 'vessel' ? 'F1' : 'score'} (vs parent)</th>
              <th>Last promotion</th>
              {/* The buttons' column: unlabelled on screen, but a screen reader announces every column by name. */}
              <th>
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {[...models].reverse().map((m) => (
              <tr
                key={m.id}
                data-testid="model-row"
                data-model-id={m.id}
                data-task={task}
                data-status={m.status}
                data-in-use={String(m.id === inUseId)}
              >
                <td>
                  {m.name}
                  <span className="small muted">
                    {m.architecture} · {new Date(m.createdAt).toLocaleString()}
                  </span>
                </td>
                <td>
                  <span
                    className={`model-status ${m.id === inUseId ? 'active' : m.status}`}
                    data-testid="model-status"
                  >
                    {/* The model predictions use is "in use", whatever the registry calls it. */}
                    {m.id === inUseId ? 'in use' : m.status}
                  </span>
                </td>
                <td>{m.parentId ? (byId.get(m.parentId)?.name ?? m.parentId) : '—'}</td>
                <td>
                  {m.trainedOnMasks
                    ? `${m.trainedOnMasks} approved ${task === 'vessel' ? 'masks' : 'corrections'}`
                    : m.metrics?.dataset || '—'}
                </td>
                <td data-testid="model-held-out">{heldOutCell(m)}</td>
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
                      <button data-testid="show-run" onClick={() => props.onShowRun(m.trainingRunId!)}>
                        Comparison
                      </button>
                    )}
                    {m.status === 'retired' && m.promotedAt && (
                      <RollbackButton
                        task={task}
                        disabled={props.running}
                        onClick={() => props.onRollback(m)}
                      />
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The installed model a task's predictions use before its first retrain takes it into the registry. */
function InstalledModel({ task, model }: { task: ModelTask; model: InstalledModelSummary }) {
  return (
    <>
      <table className="models-table" data-testid="models-table">
        <thead>
          <tr>
            <th>Model</th>
            <th>Status</th>
            <th>Trained on</th>
            <th>Validation</th>
          </tr>
        </thead>
        <tbody>
          <tr data-testid="installed-model" data-task={task}>
            <td>
              {model.name}
              <span className="small muted">{model.architecture} · installed with RetinaStudio</span>
            </td>
            <td>
              <span className="model-status active" data-testid="model-status">
                in use
              </span>
            </td>
            <td>{model.anatomyValidation?.dataset || '—'}</td>
            <td data-testid="model-held-out">{heldOutCell({ ...model, metrics: null })}</td>
          </tr>
        </tbody>
      </table>
      <p className="muted small">
        The first {TASK_NAME[task]} retrain registers it as this task&apos;s first model, to compare its
        candidates with and to roll back to.
      </p>
    </>
  );
}

/** Gone once its model is rolled back to (it is in use): focus, back on it from the dialog, goes to its table. */
function RollbackButton(props: { task: ModelTask; disabled: boolean; onClick: () => void }) {
  const ref = useRef<HTMLButtonElement | null>(null);
  useFocusHandOff(ref, () =>
    document.querySelector<HTMLElement>(`[data-testid="model-task"][data-task="${props.task}"]`),
  );
  return (
    <button ref={ref} data-testid="rollback" disabled={props.disabled} onClick={props.onClick}>
      Roll back to this
    </button>
  );
}
