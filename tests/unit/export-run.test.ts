// How the Export dialog reaches main: a folder picked in the desktop app, a zip download in browser mode or when
// main has no native dialog, nothing at all when the user cancels the folder dialog.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RpcError, type ExportRequest, type RequestChannel } from '../../shared/contract.js';
import type { RetinaClient } from '../../shared/transport.js';
import { runExport, type ExportChoice } from '../../renderer/src/export/runExport.js';

const ZIP = new Uint8Array([0x50, 0x4b, 5, 6]);

/** A client that records every call; showOpenDialog answers `dialog` (paths, or an error to throw). */
function fakeClient(shell: 'electron' | 'browser', dialog: string[] | RpcError) {
  const calls: { channel: RequestChannel; request: unknown }[] = [];
  const client = {
    shell,
    on: () => () => undefined,
    invoke: (channel: RequestChannel, request: unknown) => {
      calls.push({ channel, request });
      if (channel === 'showOpenDialog') {
        return dialog instanceof RpcError ? Promise.reject(dialog) : Promise.resolve({ paths: dialog });
      }
      const zip = (request as ExportRequest).target.kind === 'zip';
      return Promise.resolve({
        files: ['masks/a.png'],
        images: 1,
        folder: zip ? null : (request as ExportRequest).target.folder,
        zip: zip ? ZIP : null,
        zipName: zip ? 'retinastudio-export-2026-12-02.zip' : null,
      });
    },
  } as unknown as RetinaClient;
  return { client, calls };
}

const choice: ExportChoice = {
  imageIds: ['4', '9'],
  parts: ['masks', 'coco'],
  source: 'best',
  includeNames: false,
};

test('desktop: asks for a folder, then exports into it', async () => {
  const { client, calls } = fakeClient('electron', ['/home/u/out']);
  const downloads: string[] = [];
  const r = await runExport(client, choice, (_b, name) => downloads.push(name));
  assert.equal(r.kind, 'folder');
  assert.deepEqual(calls[0], {
    channel: 'showOpenDialog',
    request: { mode: 'folder', title: 'Export to folder', buttonLabel: 'Export here' },
  });
  assert.deepEqual(calls[1].request, {
    imageIds: ['4', '9'],
    parts: ['masks', 'coco'],
    source: 'best',
    includeNames: false,
    target: { kind: 'folder', folder: '/home/u/out' },
  });
  assert.deepEqual(downloads, []);
});

test('desktop: a cancelled folder dialog exports nothing', async () => {
  const { client, calls } = fakeClient('electron', []);
  assert.deepEqual(await runExport(client, choice, () => assert.fail('downloaded')), { kind: 'cancelled' });
  assert.deepEqual(
    calls.map((c) => c.channel),
    ['showOpenDialog'],
  );
});

test('browser mode, or no native dialog: the zip is downloaded under its suggested name', async () => {
  for (const { client, calls } of [
    fakeClient('browser', ['/never/asked']),
    fakeClient('electron', new RpcError('unsupported', 'no dialog here')),
  ]) {
    const got: { bytes: Uint8Array; name: string }[] = [];
    const r = await runExport(client, { ...choice, imageIds: null }, (bytes, name) =>
      got.push({ bytes, name }),
    );
    assert.equal(r.kind, 'download');
    const req = calls.find((c) => c.channel === 'exportImages')!.request as ExportRequest;
    assert.deepEqual(req.target, { kind: 'zip' });
    assert.equal('imageIds' in req, false, 'no selection must mean every image');
    assert.deepEqual(got, [{ bytes: ZIP, name: 'retinastudio-export-2026-12-02.zip' }]);
  }
});

test('a failing folder dialog is reported, not turned into a download', async () => {
  const { client } = fakeClient('electron', new RpcError('internal', 'dialog crashed'));
  await assert.rejects(
    runExport(client, choice, () => assert.fail('downloaded')),
    /dialog crashed/,
  );
});
