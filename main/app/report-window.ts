// The desktop report: the document in a window of its own (its Print / save as PDF button prints it), and an A4 PDF
// printed by Chromium behind a save dialog. The window is sandboxed, has no preload (no IPC) and may not navigate
// (security.ts); the document is written to a private temporary file for loading (a data URL is size-limited),
// removed once loaded.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserWindow, dialog } from 'electron';
import type { ReportDocument } from '../../shared/contract.js';
import { withReportPolicy } from '../handlers/report-policy.js';

async function load(win: BrowserWindow, doc: ReportDocument): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'retina-report-'));
  try {
    const file = join(dir, 'report.html');
    // The policy a browser tab gets by header, in the document: a file:// page could otherwise read local files.
    await writeFile(file, withReportPolicy(doc.html), { mode: 0o600 });
    await win.loadFile(file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function reportWindow(show: boolean, parent: BrowserWindow | null): BrowserWindow {
  return new BrowserWindow({
    width: 1000,
    height: 800,
    show,
    title: 'RetinaStudio report',
    ...(parent ? { parent } : {}),
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: true },
  });
}

export function reportWindows(mainWindow: () => BrowserWindow | null) {
  return {
    async open(doc: ReportDocument): Promise<void> {
      await load(reportWindow(true, null), doc);
    },
    async savePdf(doc: ReportDocument): Promise<string | null> {
      const parent = mainWindow();
      const o = {
        defaultPath: doc.fileName.replace(/\.html$/, '.pdf'),
        filters: [{ name: 'PDF', extensions: ['pdf'] }],
      };
      const r = parent ? await dialog.showSaveDialog(parent, o) : await dialog.showSaveDialog(o);
      if (r.canceled || !r.filePath) return null;
      const win = reportWindow(false, null);
      try {
        await load(win, doc);
        const pdf = await win.webContents.printToPDF({
          pageSize: 'A4',
          printBackground: true,
          preferCSSPageSize: true,
        });
        await writeFile(r.filePath, pdf);
        return r.filePath;
      } finally {
        win.destroy();
      }
    },
  };
}
