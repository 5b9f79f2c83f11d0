// The jobs tray: a one-line summary in the top bar ("Jobs: 2 running, 1 failed") that opens a column docked
// beside the content. The column takes its own room in the layout, so it narrows the worklist or viewer instead
// of covering their tools or the image (below 1200 pixels wide, where that would leave the image a sliver, it floats
// over the content's side until hidden). Finished jobs can be dismissed; each file an import could not take is listed with why.
import { useEffect, useRef, useState } from 'react';
import { useFocusHandOff } from '../focusHandOff.js';
import type { JobInfo, QueueJob } from '../../../shared/contract.js';
import { isActive, needsAttention, newestFirst, type JobsDigest } from './jobsDigest.js';
import { lastLogLines, whereLine } from './queueLines.js';
import './jobsTray.css';

const TRAY_ID = 'jobs-tray';

export function JobsSummary(props: { digest: JobsDigest; open: boolean; onToggle: () => void }) {
  const { digest, open, onToggle } = props;
  if (!digest.text) return null;
  const tone = digest.attention > 0 ? 'attention' : digest.active > 0 ? 'active' : '';
  return (
    <button
      className={`jobs-summary ${tone}`}
      data-testid="jobs-summary"
      aria-expanded={open}
      aria-controls={TRAY_ID}
      title={open ? 'Hide the jobs' : 'Show the jobs'}
      onClick={onToggle}
    >
      Jobs: {digest.text} <span aria-hidden="true">{open ? '▴' : '▾'}</span>
    </button>
  );
}

export interface JobsTrayProps {
  jobs: Iterable<JobInfo>;
  digest: JobsDigest;
  onCancel: (jobId: string) => void;
  onDismiss: (jobIds: string[]) => void;
  onHide: () => void;
  /** A team database's queue: which worker runs each job, and its log's last lines. */
  team?: ReadonlyMap<string, QueueJob> | null;
}

/** The summary button that opens and closes the tray. */
const summaryButton = () => document.querySelector<HTMLElement>(`[aria-controls="${TRAY_ID}"]`);

export function JobsTray({ jobs, digest, onCancel, onDismiss, onHide, team }: JobsTrayProps) {
  const list = newestFirst(jobs);
  const trayRef = useRef<HTMLElement>(null);
  // Hidden, closed by itself or emptied with focus inside: focus goes back to the summary (or the content).
  useFocusHandOff(trayRef, summaryButton);
  // Opened from the summary (it holds focus), the tray takes focus: it sits after the whole content, so its Cancel
  // and Dismiss were a Tab past every worklist row away. Opened by itself (a failed job), it leaves focus alone.
  useEffect(() => {
    if (document.activeElement === summaryButton()) trayRef.current?.focus();
  }, []);
  return (
    <section
      className="jobs-tray"
      id={TRAY_ID}
      data-testid="jobs-tray"
      aria-label="Jobs"
      ref={trayRef}
      tabIndex={-1}
      onKeyDown={(e) => {
        // Escape hides the tray (focus goes back to the summary), and not the viewer behind it too.
        if (e.key !== 'Escape') return;
        e.stopPropagation();
        onHide();
      }}
    >
      <div className="jobs-tray-head">
        <strong>Jobs</strong>
        <span className="muted">{digest.text || 'none'}</span>
        <span className="spacer" />
        {digest.clearable.length > 0 && (
          <button data-testid="jobs-dismiss-finished" onClick={() => onDismiss(digest.clearable)}>
            Dismiss finished
          </button>
        )}
        <button onClick={onHide} aria-label="Hide the jobs">
          Hide
        </button>
      </div>
      <ul className="jobs-list">
        {list.map((j) => (
          <JobRow
            key={j.jobId}
            job={j}
            queued={team?.get(j.jobId) ?? null}
            onCancel={onCancel}
            onDismiss={onDismiss}
          />
        ))}
      </ul>
    </section>
  );
}

const KIND_LABEL: Record<JobInfo['kind'], string> = { import: 'Import', predict: 'Predict' };

function JobRow({
  job: j,
  queued,
  onCancel,
  onDismiss,
}: {
  job: JobInfo;
  queued: QueueJob | null;
  onCancel: (jobId: string) => void;
  onDismiss: (jobIds: string[]) => void;
}) {
  const active = isActive(j);
  const failures = (j.failures ?? []).filter((f) => !f.warning);
  const warnings = (j.failures ?? []).filter((f) => f.warning);
  const label = KIND_LABEL[j.kind];
  const state =
    j.state === 'done' && needsAttention(j)
      ? failures.length > 0
        ? 'done with errors'
        : 'done with warnings'
      : j.state;
  const rowRef = useRef<HTMLLIElement>(null);
  // A dismissed row took its focused button with it: focus stays in the tray.
  useFocusHandOff(rowRef, () => document.getElementById(TRAY_ID));
  return (
    <li
      ref={rowRef}
      className={`job ${j.state}${needsAttention(j) ? ' attention' : ''}`}
      data-testid={`job-${j.kind}`}
      data-state={j.state}
      data-job-id={j.jobId}
    >
      <div className="job-line">
        <span className="job-title">
          {label} · {state}
          {j.total > 0 ? ` · ${j.done}/${j.total}` : ''}
        </span>
        {active ? (
          <button onClick={() => onCancel(j.jobId)} aria-label={`Cancel the ${label.toLowerCase()} job`}>
            Cancel
          </button>
        ) : (
          <button
            onClick={() => onDismiss([j.jobId])}
            aria-label={`Dismiss the ${label.toLowerCase()} job`}
            data-testid="job-dismiss"
          >
            Dismiss
          </button>
        )}
      </div>
      {active && <progress max={Math.max(1, j.total)} value={j.done} aria-label={`${label} progress`} />}
      <span className="job-msg" data-testid="job-message">
        {/* A failed import's files (a failed prediction's images) are listed below; its summary line says how many. */}
        {j.state === 'failed' && j.error && failures.length === 0 ? j.error.message : (j.message ?? '')}
      </span>
      {queued && <TeamLines job={queued} label={label} />}
      {failures.length > 0 && (
        <ul
          className="job-failures"
          aria-label={
            j.kind === 'predict' ? 'Images that could not be read' : 'Files that could not be imported'
          }
          data-testid="job-failures"
        >
          <FileLines files={failures} />
        </ul>
      )}
      {warnings.length > 0 && (
        <ul
          className="job-failures job-warnings"
          aria-label={`Imported, with ${warnings.length === 1 ? 'a warning' : 'warnings'} to read`}
          data-testid="job-warnings"
        >
          <FileLines files={warnings} />
        </ul>
      )}
    </li>
  );
}

/** A job's files, one line each: the name the user knows and what happened to it. */
function FileLines({ files }: { files: { file: string; reason: string }[] }) {
  return files.map((f, i) => (
    <li key={i} title={`${f.file}: ${f.reason}`}>
      <span className="job-file">{f.file}</span>: {f.reason}
    </li>
  ));
}

/** Where a team job runs and what its log says last. */
function TeamLines({ job, label }: { job: QueueJob; label: string }) {
  // A worker gone quiet changes nothing in the database: the clock says so.
  const [now, setNow] = useState(() => Date.now());
  const running = job.state === 'running';
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 5000);
    return () => clearInterval(t);
  }, [running]);
  const where = whereLine(job, now);
  const lines = lastLogLines(job);
  return (
    <>
      {where && (
        <span className="job-where muted" data-testid="job-worker">
          {where}
        </span>
      )}
      {lines.length > 0 && (
        <details className="job-log">
          <summary>Log</summary>
          <ol aria-label={`${label} job log`} data-testid="job-log">
            {lines.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ol>
        </details>
      )}
    </>
  );
}
