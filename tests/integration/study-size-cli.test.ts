// A day of autosaves on a real study: `retina db check` says how big the study is (the SQLite file and journal,
// the files its records refer to) and how much of that only the older autosaved drafts hold, counted file by file
// from the folder itself; a file no record refers to is said apart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tintedPhotos } from '../support/sample-photos.js';
import { retinaCli as retina } from '../support/retina-cli.js';
import { importImageFiles, openStore, saveMaskVersion } from '../../main/store/index.js';
import { blobPath } from '../../main/store/file-store.js';

const W = 96;

const folderBytes = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? folderBytes(join(dir, e.name)) : statSync(join(dir, e.name)).size),
    0,
  );

test('db check gives the study size and what older drafts hold of it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'retina-study-size-'));
  const db = join(dir, 'study.db');
  try {
    const store = openStore(db);
    const olderDraftFiles: string[] = [];
    try {
      const [photo] = await tintedPhotos(dir, ['photo'], W);
      const [{ imageId }] = (await importImageFiles(store, [{ imagePath: photo }], { actor: 'ann' }))
        .imported;
      // Each autosave paints one more column: every draft its own PNG.
      const data = new Uint8Array(W * W);
      let parentId: number | null = null;
      const save = async (kind: 'draft' | 'approved') => {
        const v = await saveMaskVersion(store, {
          imageId,
          kind,
          author: 'ann',
          mask: { width: W, height: W, data },
          parentId,
        });
        parentId = v.id;
        return v;
      };
      const drafts = [];
      for (let i = 0; i < 20; i++) {
        for (let y = 0; y < W; y++) data[y * W + i] = 1;
        drafts.push(await save('draft'));
      }
      await save('approved'); // the same pixels as the newest draft: the approval shares its file
      for (const v of drafts.slice(0, -1)) olderDraftFiles.push(blobPath(store, v.pngHash));
    } finally {
      store.close();
    }
    mkdirSync(join(`${db}.files`, 'ab'), { recursive: true });
    writeFileSync(join(`${db}.files`, 'ab', 'c'.repeat(62)), Buffer.alloc(5000));

    const r = retina('db', 'check', '--json', '--database', db);
    assert.equal(r.code, 0, r.stderr);
    const { storage } = JSON.parse(r.stdout) as {
      storage: Record<string, number | null>;
    };
    const total = folderBytes(`${db}.files`);
    const olderBytes = olderDraftFiles.reduce((n, f) => n + statSync(f).size, 0);
    assert.equal(storage.fileBytes! + storage.unreferencedBytes!, total);
    assert.equal(storage.olderDrafts, 19);
    assert.equal(storage.olderDraftFiles, 19);
    assert.equal(storage.olderDraftBytes, olderBytes);
    assert.equal(storage.unreferencedFiles, 1);
    assert.equal(storage.unreferencedBytes, 5000);
    assert.ok(storage.databaseBytes! >= statSync(db).size);

    const text = retina('db', 'check', '--database', db);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /size: \d+ KB database, \d+ KB in \d+ files \(\d+ KB of them only in 19 older drafts/,
    );
    assert.match(text.stdout, /5 KB in 1 file no record refers to/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
