// What an import takes from a photograph's file name, on real SQLite with real photographs: the name an upload is
// recorded under, patients whose IDs differ only in case or leading zeros, and a duplicate whose new name says
// more than the image it duplicates knows.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImportJob } from '../../main/jobs/import.js';
import { getImage, openStore, type Store } from '../../main/store/index.js';
import { tintedPhotos } from '../support/sample-photos.js';

const hooks = { isCancelled: () => false, progress: () => {} };

describe('import: what file names say', () => {
  let tmp: string;
  let photos: string[];
  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'import-names-'));
    photos = await tintedPhotos(tmp, ['a', 'b', 'c', 'd'], 96);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  const fresh = (name: string): Store => openStore(join(tmp, `${name}.db`));

  test("an upload keeps its own name (O'Brien_OD.jpg), as the CLI does", async () => {
    const store = fresh('upload-name');
    try {
      const outcome = await runImportJob(
        store,
        { type: 'files', paths: [], files: [{ name: "O'Brien_OD.png", bytes: readFileSync(photos[0]) }] },
        'ann',
        hooks,
      );
      assert.equal(outcome.report.imported.length, 1);
      const image = getImage(store, outcome.report.imported[0].imageId);
      assert.equal(image.fileName, "O'Brien_OD.png");
      assert.equal(image.laterality, 'OD');
    } finally {
      store.close();
    }
  });
});
