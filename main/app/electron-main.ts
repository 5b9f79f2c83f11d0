// The Electron shell: one secure window showing the renderer, the same handler table as browser mode registered
// on ipcMain, and events forwarded to the window. Usage: electron . [--db PATH] [--model DIR]
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  type OpenDialogOptions,
  type WebContents,
} from 'electron';
import { dispatchRequest, type RpcResult } from '../../shared/contract.js';
import { IPC_EVENT, IPC_INVOKE } from '../../shared/transport.js';
import { createWorkstation, type Workstation } from '../handlers/index.js';
import { DiagnosticsLog, defaultLogPath } from '../node/diagnostics-log.js';
import { rendererDir } from '../node/package-root.js';
import { defaultDatabasePath, redactUrl, resolveLocation } from '../store/index.js';
import { buildMenu } from './menu.js';
import { registerScheme, serveRenderer } from './renderer-protocol.js';
import { reportWindows } from './report-window.js';
import { APP_ORIGIN, isTrustedSender, lockDown } from './security.js';
import { uncaughtErrorBox } from './uncaught-error.js';

const here = dirname(fileURLToPath(import.meta.url));

function parsedArgs(argv: string[]): { db?: string; model?: string } {
  // Lenient: Chromium switches (--inspect, --remote-debugging-port...) and the app path share argv with ours.
  const { values } = parseArgs({
    args: argv,
    options: { db: { type: 'string' }, model: { type: 'string' } },
    strict: false,
    allowPositionals: true,
  });
  return {
    db: typeof values.db === 'string' ? values.db : undefined,
    model: typeof values.model === 'string' ? values.model : undefined,
  };
}

function options(): { db: string; model: string | undefined } {
  const args = parsedArgs(process.argv.slice(1));
  const model = args.model !== undefined ? resolve(args.model) : undefined;
  const db = resolveLocation(args.db ?? defaultDatabasePath());
  openedDatabase = db;
  return { db, model };
}

/** The database a later launch asked for, as this one would open it (null: none named, or one it cannot read). */
function requestedDatabase(argv: string[]): string | null {
  const db = parsedArgs(argv.slice(1)).db;
  try {
    return db === undefined ? null : resolveLocation(db);
  } catch {
    return null;
  }
}

let mainWindow: BrowserWindow | null = null;
/** The database this app opened (resolved), for a second launch that names another. */
let openedDatabase: string | null = null;
let workstation: Workstation | null = null;
/** Requests being handled (a save among them): quitting waits for them before the database closes. */
const inFlight = new Set<Promise<unknown>>();

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'RetinaStudio',
    backgroundColor: '#15181d',
    show: false,
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  // The viewer holds the window open while a correction is still being saved (its beforeunload); Electron shows
  // no dialog of its own, so ask here, as a browser would.
  // (Asked synchronously, as the event needs its answer at once: a save already handed to this process is still
  // finished before the database closes, see will-quit.)
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: ['Wait', 'Close anyway'],
      defaultId: 0,
      cancelId: 0,
      message: 'Your last correction is still being saved.',
      detail: 'Wait a moment and close again, or close now and lose that correction.',
    });
    if (choice === 1) event.preventDefault();
  });
  // A renderer that crashed (or was killed for memory) left a blank window: it is loaded again, saying why; what
  // was saved is in the database, and the viewer's unsaved stroke is what a crash loses.
  win.webContents.on('render-process-gone', (_event, details) => {
    if (details.reason === 'clean-exit' || win.isDestroyed()) return;
    void dialog.showMessageBox(win, {
      type: 'warning',
      message: `The RetinaStudio window stopped (${details.reason}) and is opened again.`,
      detail: 'Everything saved is kept; an edit made in the last seconds may need to be made again.',
    });
    win.reload();
  });
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

async function start(): Promise<void> {
  let opts: ReturnType<typeof options>;
  try {
    opts = options();
  } catch (err) {
    // A bad --db or RETINA_DB: said and ended, not a process without a window that holds the single-instance lock.
    dialog.showErrorBox('RetinaStudio cannot start', (err as Error).message.split('\n')[0]);
    app.exit(1);
    return;
  }
  lockDown();
  serveRenderer(rendererDir());
  if (!existsSync(join(rendererDir(), 'index.html'))) {
    // A window would only show "not found": say why and stop.
    dialog.showErrorBox('RetinaStudio', `The renderer is not built (${rendererDir()}): run npm run build.`);
    app.exit(1);
    return;
  }
  try {
    workstation = await createWorkstation({
      dbPath: opts.db,
      shell: 'electron',
      modelDir: opts.model,
      logFile: supportLog.file,
      showOpenDialog: async (req) => {
        const props: OpenDialogOptions['properties'] =
          req.mode === 'folder' ? ['openDirectory', 'createDirectory'] : ['openFile', 'multiSelections'];
        const win = mainWindow;
        const o: OpenDialogOptions = { title: req.title, buttonLabel: req.buttonLabel, properties: props };
        const r = win ? await dialog.showOpenDialog(win, o) : await dialog.showOpenDialog(o);
        return r.canceled ? [] : r.filePaths;
      },
      reportWindow: reportWindows(() => mainWindow),
    });
  } catch (err) {
    dialog.showErrorBox('RetinaStudio cannot start', (err as Error).message.split('\n')[0]);
    app.exit(1);
    return;
  }
  const ws = workstation;
  const ours = (wc: WebContents): boolean => BrowserWindow.getAllWindows().some((w) => w.webContents === wc);
  ipcMain.handle(
    IPC_INVOKE,
    async (event, channel: unknown, payload: unknown): Promise<RpcResult<unknown>> => {
      if (!isTrustedSender(event, ours)) {
        return { ok: false, error: { code: 'forbidden', message: 'request from an unknown page refused' } };
      }
      const answer = dispatchRequest(ws.handlers, channel, payload, {
        shell: 'electron',
        sender: String(event.sender.id),
      });
      inFlight.add(answer);
      void answer.finally(() => inFlight.delete(answer));
      return answer;
    },
  );
  ws.events.subscribe((event, payload) => {
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.isDestroyed()) win.webContents.send(IPC_EVENT, event, payload);
    }
  });
  Menu.setApplicationMenu(buildMenu(() => mainWindow, redactUrl(opts.db)));
  mainWindow = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
}

const supportLog = new DiagnosticsLog(defaultLogPath());
// Replaces Electron's own dialog (the raw stack, nothing logged); an error box works before the app is ready too.
const uncaught = (err: unknown): void => {
  const box = uncaughtErrorBox(err, supportLog);
  dialog.showErrorBox(box.title, box.content);
};
process.on('uncaughtException', uncaught);
process.on('unhandledRejection', uncaught);

registerScheme();
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv) => {
    // The running app has a window again (its last one may have been closed while a report stayed open).
    if (!mainWindow && workstation) mainWindow = createWindow();
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
    // One app, one database: a launch naming another one is told so rather than silently shown this one.
    const asked = requestedDatabase(argv);
    if (asked && openedDatabase && asked !== openedDatabase)
      void dialog.showMessageBox({
        type: 'warning',
        message: `RetinaStudio is already open on ${redactUrl(openedDatabase)}.`,
        detail: `To open ${redactUrl(asked)}, close RetinaStudio first, then open it again.`,
      });
  });
  app.on('window-all-closed', () => app.quit());
  let closing = false;
  app.on('will-quit', (e) => {
    // Let running jobs stop at an image boundary and the database close cleanly before exiting.
    if (closing || !workstation) return;
    e.preventDefault();
    closing = true;
    const ws = workstation;
    // A save that reached this process is finished before the database closes, not cut off by the close.
    void Promise.allSettled([...inFlight])
      .then(() => ws.close())
      .finally(() => app.quit());
  });
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      dialog.showErrorBox('RetinaStudio cannot start', err instanceof Error ? err.message : String(err));
      app.exit(1);
    });
}
