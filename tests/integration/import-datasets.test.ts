// The real datasets imported without flags, from the CLI and from the app's import job: every image arrives with
// its ground truth as an approved mask and its FOV file, and no annotation or FOV file becomes an image.
// Needs the datasets folder (../shared/datasets or $RETINA_DATASETS); each part skips with a message without it.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runDbCommand } from '../../main/cli/db.js';
import { createWorkstation, type CallerContext } from '../../main/handlers/index.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import {
  getImage,
  listImages,
  listMaskVersions,
  openStore,
  type ImportReport,
  type Store,
} from '../../main/store/index.js';
import { dispatchRequest } from '../../shared/contract.js';

const ROOT = datasetsRoot();

function skipUnless(name: string): false | string {
  return existsSync(join(ROOT, name)) ? false : `${name} not found under ${ROOT} (set RETINA_DATASETS)`;
}

interface StoreSummary {
  images: number;
  withApprovedMask: number;
  fovFromFile: number;
  maskVersions: number;
}

function summarise(store: Store): StoreSummary {
  const items = listImages(store, { limit: 1000 }).items;
  const versions = items.map((i) => listMaskVersions(store, i.id));
  return {
    images: items.length,
    withApprovedMask: versions.filter((v) => v.length === 1 && v[0].kind === 'approved').length,
    fovFromFile: items.filter((i) => !getImage(store, i.id).fovDerived).length,
    maskVersions: versions.flat().length,
  };
}

/** Skipped files counted by their folder relative to the dataset root. */
function skippedByFolder(report: ImportReport, root: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of report.skipped) {
    const folder = relative(root, join(s.source, '..'));
    out[folder] = (out[folder] ?? 0) + 1;
  }
  return out;
}

describe('real datasets imported without flags', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'retina-import-datasets-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  /** `retina db import --db X DIR --json`, with the report and the store's contents afterwards. */
  async function cliImport(dir: string, db: string): Promise<{ report: ImportReport; store: StoreSummary }> {
    const out: string[] = [];
    const io = { stdout: { write: (s: string) => out.push(s) }, stderr: { write: () => true }, env: {} };
    assert.equal(await runDbCommand(['import', '--db', db, dir, '--json'], io), 0);
    const report = JSON.parse(out.pop()!) as ImportReport;
    const store = openStore(db);
    try {
      return { report, store: summarise(store) };
    } finally {
      store.close();
    }
  }

  test(
    'DRIVE from the CLI: 40 images with 40 approved masks and FOV files',
    { skip: skipUnless('DRIVE') },
    async () => {
      const dir = join(ROOT, 'DRIVE');
      const { report, store } = await cliImport(dir, join(tmp, 'drive-cli.db'));
      assert.deepEqual(report.failed, []);
      assert.deepEqual(store, { images: 40, withApprovedMask: 40, fovFromFile: 40, maskVersions: 40 });
      assert.deepEqual(
        report.datasets.map((d) => [d.layout, d.name, d.images]),
        [['drive', 'drive', 40]],
      );
      assert.ok(report.imported.every((i) => /[/\\]images[/\\]\d\d_(training|test)\.tif$/.test(i.source)));
      assert.deepEqual(skippedByFolder(report, dir), { 'test/2nd_manual': 20 });
    },
  );

  test(
    "DRIVE from the app's folder import: the same 40 images and 40 approved masks",
    { skip: skipUnless('DRIVE') },
    async () => {
      const ctx: CallerContext = { shell: 'browser', sender: 'test' };
      const ws = await createWorkstation({
        dbPath: join(tmp, 'drive-app.db'),
        shell: 'browser',
        user: 'tester',
        threads: 1,
      });
      try {
        const path = join(ROOT, 'DRIVE');
        const r = await dispatchRequest(
          ws.handlers,
          'importFolder',
          { path, recursive: true, pairMasks: true },
          ctx,
        );
        assert.ok(r.ok, JSON.stringify(r));
        const job = await ws.jobs.wait((r.value as { jobId: string }).jobId);
        assert.equal(job.state, 'done', job.error?.message);
        assert.deepEqual(summarise(ws.store), {
          images: 40,
          withApprovedMask: 40,
          fovFromFile: 40,
          maskVersions: 40,
        });
        const authors = new Set(
          listImages(ws.store, { limit: 1000 }).items.flatMap((i) =>
            listMaskVersions(ws.store, i.id).map((v) => v.author),
          ),
        );
        assert.deepEqual([...authors], ['dataset:drive']);
      } finally {
        await ws.close();
      }
    },
  );

  test(
    'a DRIVE split folder on its own: 21_manual1 pairs with 21_training',
    { skip: skipUnless('DRIVE') },
    async () => {
      const dir = join(ROOT, 'DRIVE', 'training');
      const { report, store } = await cliImport(dir, join(tmp, 'drive-training.db'));
      assert.deepEqual(store, { images: 20, withApprovedMask: 20, fovFromFile: 20, maskVersions: 20 });
      assert.deepEqual(report.skipped, []);
    },
  );

  test(
    'STARE: 20 images, 18 with labels-ah; labels-vk is the second observer',
    { skip: skipUnless('STARE') },
    async () => {
      const dir = join(ROOT, 'STARE');
      const { report, store } = await cliImport(dir, join(tmp, 'stare.db'));
      assert.deepEqual(report.failed, []);
      // im0235 and im0236 have no ah label; STARE has no FOV files (the FOV is derived).
      assert.deepEqual(store, { images: 20, withApprovedMask: 18, fovFromFile: 0, maskVersions: 18 });
      assert.deepEqual(skippedByFolder(report, dir), { 'labels-vk': 20 });
      assert.ok(report.skipped.every((s) => /second observer/.test(s.reason)));
    },
  );

  test(
    'LES-AV: vessel/ is the ground truth, mask/ the FOV; the A/V folders are left out',
    { skip: skipUnless('LES-AV') },
    async () => {
      const dir = join(ROOT, 'LES-AV');
      const { report, store } = await cliImport(dir, join(tmp, 'lesav.db'));
      assert.deepEqual(report.failed, []);
      assert.deepEqual(store, { images: 22, withApprovedMask: 22, fovFromFile: 22, maskVersions: 22 });
      assert.deepEqual(
        report.datasets.map((d) => [d.layout, d.name, d.images]),
        [['lesav', 'LES-AV', 22]],
      );
      assert.deepEqual(skippedByFolder(report, dir), { artery: 22, av: 22, vein: 22 });
    },
  );
});
