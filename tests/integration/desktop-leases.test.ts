// The desktop app quits with its window: the edit leases that window held go with it, so the next launch edits its
// images at once instead of finding them "being edited" by its own last session. A browser-mode server's windows
// outlive the server (they reconnect to the next one), so it keeps theirs. Real SQLite files; the workstation as
// Electron's main and `retina serve` create it, its handlers called as their transports call them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkstation } from '../../main/handlers/index.js';
import { getLease, importImageFiles, openStore } from '../../main/store/index.js';
import { dispatchRequest } from '../../shared/contract.js';
import { driveTestImage } from '../e2e/model-fixture.js';

let dir: string;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'retina-desktop-leases-'));
  process.env.RETINA_DEFAULT_MODEL = path.join(dir, 'no-model-here');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Opens a workstation of `shell` on a fresh database, leases its one image as a window, closes it: the lease left. */
async function leaseThenClose(shell: 'electron' | 'browser') {
  const dbPath = path.join(dir, `${shell}.db`);
  const store = openStore(dbPath);
  await importImageFiles(store, [{ imagePath: driveTestImage('01') }], { actor: 'tester' });
  store.close();
  const ws = await createWorkstation({ dbPath, shell, user: 'tester' });
  const leased = await dispatchRequest(
    ws.handlers,
    'acquireEditLease',
    { imageId: '1', clientId: 'window-0000000001' },
    { shell, sender: '1' },
  );
  assert.ok(leased.ok && (leased.value as { granted: boolean }).granted, JSON.stringify(leased));
  await ws.close();
  const after = openStore(dbPath, { readonly: true });
  try {
    return getLease(after, 1);
  } finally {
    after.close();
  }
}

test("the desktop app gives its window's edit leases back as it quits", async () => {
  assert.equal(await leaseThenClose('electron'), null);
});

test("a browser-mode server keeps its windows' leases when it stops (they reconnect to the next)", async () => {
  assert.equal((await leaseThenClose('browser'))?.clientId, 'window-0000000001');
});
