// A window counts as gone only once its last event socket closed and none came back within the grace period.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WindowPresence } from '../../main/server/window-presence.js';

const GRACE_MS = 20;
const afterGrace = (): Promise<void> => new Promise((r) => setTimeout(r, GRACE_MS * 10));

function presence() {
  const gone: string[] = [];
  return { gone, windows: new WindowPresence((id) => gone.push(id), GRACE_MS) };
}

test('a window whose socket closes and stays away is gone, once', async () => {
  const { gone, windows } = presence();
  windows.opened('window-a');
  windows.closed('window-a', undefined);
  await afterGrace();
  assert.deepEqual(gone, ['window-a']);
});

test('a socket that reconnects within the grace period keeps its window', async () => {
  const { gone, windows } = presence();
  windows.opened('window-a');
  windows.closed('window-a', undefined);
  windows.opened('window-a');
  await afterGrace();
  assert.deepEqual(gone, []);
});

test('a window with two sockets is gone only when both have closed', async () => {
  const { gone, windows } = presence();
  windows.opened('window-a');
  windows.opened('window-a');
  windows.closed('window-a', undefined);
  await afterGrace();
  assert.deepEqual(gone, []);
  windows.closed('window-a', undefined);
  await afterGrace();
  assert.deepEqual(gone, ['window-a']);
});

test('a stopping server loses no window: sockets it closes are not windows going', async () => {
  const { gone, windows } = presence();
  windows.opened('window-a');
  windows.opened('window-b');
  windows.closed('window-a', undefined);
  windows.dispose();
  windows.closed('window-b', undefined);
  await afterGrace();
  assert.deepEqual(gone, []);
});
