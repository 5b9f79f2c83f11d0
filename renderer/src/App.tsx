// The shell of the UI: worklist or viewer, the jobs tray and the error toasts. Nothing here knows whether it
// runs in Electron or in a browser: it only sees the RetinaClient.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ConnectionState, RetinaClient } from '../../shared/transport.js';
import type { AppInfo, JobInfo, ModelSummary } from '../../shared/contract.js';
import { AppContext, type AppServices, type Toast } from './appContext.js';
import { Worklist } from './worklist/Worklist.js';
import { Viewer } from './viewer/Viewer.js';
import { JobsSummary, JobsTray } from './jobs/JobsTray.js';
import { digestJobs } from './jobs/jobsDigest.js';
import { LOST_IN_RESTART, lostJobs, resyncedJobs } from './jobs/resyncedJobs.js';
import { useTrayOpen } from './jobs/useTrayOpen.js';
import { useTeamQueue } from './jobs/useTeamQueue.js';
import { OpenCache } from './viewer/openCache.js';
import { ErrorBoundary, readableError } from './errors.js';
import { reportToSupport } from './support-report.js';
import { ModelsScreen } from './models/ModelsScreen.js';
import { AboutDialog } from './about/AboutDialog.js';
import { mayCall } from '../../shared/roles.js';
import { useOpenImage } from './useOpenImage.js';
import { useWorklistFilters } from './worklist/useWorklistFilters.js';
import { keptEditsOwner } from './viewer/keptEditsOwner.js';

export function App({
  client,
  onLogout,
  user,
}: {
  client: RetinaClient;
  onLogout?: () => void;
  /** Team mode: who is logged in, whose worklist filters these are. */
  user?: string;
}) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [jobs, setJobs] = useState<Map<string, JobInfo>>(new Map());
  const jobsRef = useRef(jobs);
  jobsRef.current = jobs;
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [model, setModel] = useState<ModelSummary | null>(null);
  const [changed, setChanged] = useState(0);
  // The server out of reach (browser mode): said while it lasts, for saves and jobs look stuck meanwhile.
  const [connection, setConnection] = useState<ConnectionState>('connected');
  useEffect(() => client.onConnection?.(setConnection), [client]);
  const [screen, setScreen] = useState<'worklist' | 'models'>('worklist');
  const [about, setAbout] = useState(false);
  // The worklist waits for the first answers about the app and its model, so what it shows is never a guess.
  const [ready, setReady] = useState(false);
  const [openCache] = useState(() => new OpenCache(client));
  useEffect(() => openCache.watch(), [openCache]);
  const notify = useCallback((message: string, kind: Toast['kind'] = 'error') => {
    const id = Date.now() + Math.random();
    setToasts((t) => [...t.slice(-4), { id, kind, message }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), kind === 'error' ? 9000 : 3500);
  }, []);

  const report = useCallback((err: unknown) => notify(readableError(err)), [notify]);
  const [filters, updateFilters] = useWorklistFilters(user);
  const { open, lastViewed, restoring, openImage, close } = useOpenImage(
    client,
    openCache,
    filters,
    report,
    ready,
  );

  useEffect(() => {
    let known: AppInfo | null = null;
    const listJobs = (i: AppInfo) => {
      // An annotator has no jobs to list (the team's are not theirs to see).
      if (i.account && !mayCall(i.account.role, 'listJobs')) return;
      const asked = jobsRef.current;
      client.invoke('listJobs', {}).then((r) => {
        // The list replaces what the window showed; a job it showed under way that the server lost is failed.
        for (const j of lostJobs(asked, jobsRef.current, r.jobs))
          notify(`${j.kind} failed: ${LOST_IN_RESTART}`);
        setJobs((shown) => resyncedJobs(asked, shown, r.jobs));
      }, report);
    };
    void Promise.allSettled([
      client.invoke('getAppInfo', {}).then((i) => {
        known = i;
        setInfo(i);
        listJobs(i);
      }, report),
      client.invoke('getActiveModel', {}).then((r) => setModel(r.model), report),
    ]).then(() => setReady(true));
    const offJob = client.on('jobProgress', (j) => {
      setJobs((prev) => new Map(prev).set(j.jobId, j));
      if (j.state === 'failed' && j.error) notify(`${j.kind} failed: ${j.error.message}`);
    });
    const offImages = client.on('imagesChanged', () => setChanged((c) => c + 1));
    // Events missed while the socket was down: the worklist and the rest read again.
    const offResync = client.onResync?.(() => {
      setChanged((c) => c + 1);
      // Progress sent meanwhile never came, nor a job's end (a server restarted may not know the job at all).
      if (known) listJobs(known);
    });
    const offModel = client.on('activeModelChanged', () =>
      client.invoke('getActiveModel', {}).then((r) => setModel(r.model), report),
    );
    // Whatever escapes a handler still reaches the user as a message, never as a silently dead window.
    const onRejection = (e: PromiseRejectionEvent) => {
      report(e.reason);
      reportToSupport(client, 'unhandled', e.reason);
    };
    const onError = (e: ErrorEvent) => {
      report(e.error ?? e.message);
      reportToSupport(client, 'unhandled', e.error ?? e.message);
    };
    window.addEventListener('unhandledrejection', onRejection);
    window.addEventListener('error', onError);
    return () => {
      window.removeEventListener('unhandledrejection', onRejection);
      window.removeEventListener('error', onError);
      offJob();
      offImages();
      offResync?.();
      offModel();
    };
  }, [client, notify, report]);

  const digest = useMemo(() => digestJobs(jobs.values()), [jobs]);
  const teamQueue = useTeamQueue(
    client,
    report,
    info !== null && (!info.account || mayCall(info.account.role, 'getQueue')),
  );
  const [trayOpen, setTrayOpen] = useTrayOpen(jobs, digest);
  const cancelJob = useCallback(
    (jobId: string) => void client.invoke('cancelJob', { jobId }).catch(report),
    [client, report],
  );
  const dismissJobs = useCallback(
    (jobIds: string[]) => {
      for (const jobId of jobIds) {
        // Gone from the list once the main side agrees (or no longer knows the job).
        client.invoke('dismissJob', { jobId }).then(() => {
          setJobs((prev) => {
            const next = new Map(prev);
            next.delete(jobId);
            return next;
          });
        }, report);
      }
    },
    [client, report],
  );

  const account = info?.account ?? null;
  const services: AppServices = useMemo(
    () => ({
      client,
      notify,
      report,
      jobs,
      imagesVersion: changed,
      model,
      openCache,
      account,
      study: info?.study ? keptEditsOwner(info.study, account?.name ?? null) : null,
    }),
    [client, notify, report, jobs, changed, model, openCache, account, info?.study],
  );

  return (
    <AppContext.Provider value={services}>
      <div className="app">
        <header className="topbar">
          <span className="brand" onClick={close}>
            RetinaStudio
          </span>
          <span className="muted topbar-where">
            {open ? 'Viewer' : screen === 'models' ? 'Models' : 'Worklist'}
            {info ? ` · ${info.shell === 'electron' ? 'desktop' : 'browser'} · ${info.databasePath}` : ''}
          </span>
          <span className="spacer" />
          <JobsSummary digest={digest} open={trayOpen} onToggle={() => setTrayOpen(!trayOpen)} />
          {!open && (!account || mayCall(account.role, 'getRetrainRun')) && (
            <button
              data-testid="nav-models"
              onClick={() => setScreen(screen === 'models' ? 'worklist' : 'models')}
            >
              {screen === 'models' ? 'Worklist' : 'Models'}
            </button>
          )}
          {info && (
            <button data-testid="nav-about" onClick={() => setAbout(true)}>
              About
            </button>
          )}
          {account && (
            <span className="account" data-testid="account" data-role={account.role}>
              {account.name} · {account.role}
            </span>
          )}
          {account && onLogout && (
            <button data-testid="logout" onClick={onLogout}>
              Log out
            </button>
          )}
          <span className="muted" data-testid="active-model">
            Model: {model ? model.name : 'none active'}
            {model && (
              <span title="Pixels the model gives at least this probability of being vessel are marked as vessel">
                {` · Vessel threshold ${model.threshold.toFixed(2)}`}
              </span>
            )}
          </span>
        </header>
        <main className="content">
          <ErrorBoundary
            resetKey={open?.imageId ?? 'worklist'}
            onBack={close}
            onError={(err) => reportToSupport(client, 'view', err)}
          >
            {!ready || restoring ? (
              <div className="loading">Connecting…</div>
            ) : open ? (
              <Viewer
                key={open.imageId}
                imageId={open.imageId}
                list={open.list}
                onNavigate={(imageId) => openImage(imageId, open.list, 'replace')}
                onClose={close}
              />
            ) : screen === 'models' ? (
              <ModelsScreen />
            ) : (
              <Worklist
                onOpen={openImage}
                filters={filters}
                onFilters={updateFilters}
                lastViewed={lastViewed}
              />
            )}
          </ErrorBoundary>
        </main>
        {connection === 'unreachable' && (
          <div className="connection-lost" role="alert" data-testid="connection-lost">
            {/* No promise of saving: a restarted `retina serve` has a new token this window cannot know. */}
            Cannot reach the RetinaStudio server: trying again. Edits not saved yet stay in this window until
            it connects again; closing or reloading it loses them.
          </div>
        )}
        {connection === 'refused' && (
          <div className="connection-lost" role="alert" data-testid="connection-lost">
            The RetinaStudio server no longer accepts this window&apos;s access token: it was started again
            with a new access token or on another study. Open the address it printed to go on working: an edit
            not saved yet is kept in this browser (the image says so when the browser could not keep it) and
            offered again when you open its image on this study.
          </div>
        )}
        {trayOpen && (
          <JobsTray
            jobs={jobs.values()}
            digest={digest}
            onCancel={cancelJob}
            onDismiss={dismissJobs}
            onHide={() => setTrayOpen(false)}
            team={teamQueue}
          />
        )}
        {about && info && <AboutDialog info={info} onClose={() => setAbout(false)} />}
        <div className="toasts" role="status">
          {toasts.map((t) => (
            <div
              key={t.id}
              // An error interrupts a screen reader (alert); anything else waits its turn (the status region).
              role={t.kind === 'error' ? 'alert' : undefined}
              className={`toast ${t.kind}`}
              onClick={() => setToasts((x) => x.filter((y) => y.id !== t.id))}
            >
              {t.message}
            </div>
          ))}
        </div>
      </div>
    </AppContext.Provider>
  );
}
