// The running retrain: phase, progress, ETA, the loss curve, and Cancel (the active model stays as it is). A
// retrain refused before it started (too few corrected images, nothing new) shows only why and what would help.
import type { RetrainStatus } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { LossCurve } from './LossCurve.js';

export function formatSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '–';
  const r = Math.max(0, Math.round(s));
  return r >= 60 ? `${Math.floor(r / 60)} min ${String(r % 60).padStart(2, '0')} s` : `${r} s`;
}

const PHASES: Record<RetrainStatus['phase'], string> = {
  preparing: 'Preparing the training data',
  training: 'Fine-tuning',
  evaluating: 'Comparing with the active model',
  repredicting: 'Re-predicting draft-free images',
  finished: 'Finished',
};

export function RetrainProgress({ status }: { status: RetrainStatus }) {
  const { client, report } = useApp();
  const running = status.state === 'running';
  const pct = status.totalSteps > 0 ? Math.round((100 * status.step) / status.totalSteps) : 0;
  if (status.state === 'failed' && status.runId === null) {
    return (
      <section
        className="retrain-progress"
        data-testid="retrain-progress"
        data-state="refused"
        data-phase="finished"
      >
        <div className="rp-head">
          <strong>Retrain not started</strong>
        </div>
        <div className="rp-msg notice" data-testid="retrain-message" role="status">
          {status.error?.message ?? status.message}
        </div>
      </section>
    );
  }
  return (
    <section
      className="retrain-progress"
      data-testid="retrain-progress"
      data-state={status.state}
      data-phase={status.phase}
    >
      <div className="rp-head">
        <strong>
          {running
            ? PHASES[status.phase]
            : status.state === 'succeeded'
              ? 'Retrain finished'
              : `Retrain ${status.state}`}
        </strong>
        {status.runId && <span className="muted">run {status.runId}</span>}
        <span className="spacer" />
        {running && (
          <button
            data-testid="retrain-cancel"
            onClick={() => client.invoke('cancelRetrain', {}).catch(report)}
          >
            Cancel
          </button>
        )}
      </div>
      <div className="rp-bar">
        <progress
          max={100}
          value={status.phase === 'training' ? pct : status.phase === 'preparing' ? 0 : 100}
        />
        <span className="muted" data-testid="retrain-step">
          step {status.step}/{status.totalSteps} · epoch {status.epoch}/{status.epochs}
        </span>
        <span className="muted" data-testid="retrain-eta">
          elapsed {formatSeconds(status.elapsedSeconds)} · ETA{' '}
          {running ? formatSeconds(status.etaSeconds) : '–'}
        </span>
      </div>
      <LossCurve losses={status.losses} validation={status.validation} totalSteps={status.totalSteps} />
      <div className={`rp-msg ${status.error ? 'error' : ''}`} data-testid="retrain-message">
        {status.error?.message ?? status.message}
      </div>
    </section>
  );
}
