import { useApp } from '../appContext.js';

/** Running and recent jobs with progress and cancel. */
export function JobsPanel() {
  const { jobs, client, report } = useApp();
  const list = [...jobs.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, 4);
  if (list.length === 0) return null;
  return (
    <div className="jobs" data-testid="jobs">
      {list.map((j) => {
        const active = j.state === 'queued' || j.state === 'running';
        const pct = j.total > 0 ? Math.round((100 * j.done) / j.total) : 0;
        return (
          <div key={j.jobId} className={`job ${j.state}`} data-testid={`job-${j.kind}`} data-state={j.state}>
            <span className="job-title">
              {j.kind === 'predict' ? 'Predict' : 'Import'} · {j.state} · {j.done}/{j.total}
            </span>
            <progress max={100} value={pct} />
            <span className="muted job-msg">{j.error?.message ?? j.message ?? ''}</span>
            {active && (
              <button onClick={() => client.invoke('cancelJob', { jobId: j.jobId }).catch(report)}>
                Cancel
              </button>
            )}
          </div>
        );
      })}
    </div>
  );
}
