// One task's models in the registry: lineage (parent, what it was trained on), the held-out comparison with its
// parent in the task's measure, which one is in use, the latest promotion and why, and the actions on a row (its
// retrain's comparison, where a candidate is promoted or kept; rollback to a model that was active before).
import type { ModelSummary, ModelTask } from '../../../shared/contract.js';
import { heldOutCell, TASK_NAME, TASK_TITLE } from './taskWords.js';

export function ModelTable(props: {
  task: ModelTask;
  /** The task's models, oldest first. */
  models: ModelSummary[];
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
    <section className="model-task" data-testid="model-task" data-task={task}>
      <h4>{TASK_TITLE[task]}</h4>
      {models.length === 0 ? (
        <div className="muted" data-testid="no-models">
          No {TASK_NAME[task]} model in the registry yet: the first retrain that needs one registers the model
          predictions use, when one is installed.
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
              <th />
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
                      <button
                        data-testid="rollback"
                        disabled={props.running}
                        onClick={() => props.onRollback(m)}
                      >
                        Roll back to this
                      </button>
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
