// The handler table's long jobs on a real database, through the same boundary both shells use: imports and
// predictions in worker threads, bad input reported as one readable line with nothing saved, and cancel.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkstation, type CallerContext, type Workstation } from '../../main/handlers/index.js';
import { dispatchRequest, type JobInfo, type ResponseOf } from '../../shared/contract.js';
import { datasetsRoot, driveTestImage, tinyModelDir } from '../e2e/model-fixture.js';
import { handlerCaller } from '../support/handler-call.js';

const ctx: CallerContext = { shell: 'browser', sender: 'test' };

describe('workstation jobs', () => {
  let dir: string;
  let ws: Workstation;
  let brokenModel: string;

  const call = handlerCaller(() => ws, ctx);

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-jobs-test-'));
    const model = await tinyModelDir();
    // A model directory whose ONNX file is garbage: it loads the manifest fine and fails in ONNX Runtime.
    brokenModel = path.join(dir, 'broken-model');
    await cp(model, brokenModel, { recursive: true });
    await writeFile(path.join(brokenModel, 'model.onnx'), 'this is not an ONNX model');
    ws = await createWorkstation({
      dbPath: path.join(dir, 'retina.db'),
      shell: 'browser',
      modelDir: model,
      user: 'tester',
      threads: 1,
    });
  });

  after(async () => {
    await ws.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('an unreadable file: the import job fails with a one-line message naming it, and nothing is saved', async () => {
    const bad = path.join(dir, 'not-an-image.png');
    await writeFile(bad, 'hello');
    const { jobId } = await call('importFiles', { paths: [bad] });
    const job = await ws.jobs.wait(jobId);
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.code, 'unreadable-file');
    assert.match(job.error?.message ?? '', /not-an-image\.png/);
    assert.ok(!job.error?.message.includes('\n'));
    assert.equal((await call('listImages', { offset: 0, limit: 10 })).total, 0);
  });

  test('import then predict in workers, with progress events and a stored prediction per image', async () => {
    const events: JobInfo[] = [];
    const off = ws.events.subscribe((e, p) => {
      if (e === 'jobProgress') events.push(p as JobInfo);
    });
    const imp = await call('importFiles', { paths: [driveTestImage('01'), driveTestImage('02')] });
    assert.equal((await ws.jobs.wait(imp.jobId)).state, 'done');
    const pred = await call('predict', { imageIds: ['1', '2'] });
    const job = await ws.jobs.wait(pred.jobId);
    off();
    assert.equal(job.state, 'done', job.error?.message);
    assert.deepEqual([job.done, job.total], [2, 2]);
    const states = events.filter((e) => e.jobId === pred.jobId).map((e) => e.state);
    assert.deepEqual([states[0], states[states.length - 1]], ['queued', 'done']);
    const page = await call('listImages', { offset: 0, limit: 10, status: ['predicted'] });
    assert.deepEqual(
      page.items.map((i) => i.id),
      ['1', '2'],
    );
    const masks = await call('getMasks', { imageId: '2' });
    assert.equal(masks.prediction?.encoding, 'prob8');
    assert.equal(masks.prediction?.data.length, 565 * 584);
    assert.equal(masks.prediction?.modelName, 'e2e-tiny');
  });

  test('a model that fails to load: the predict job fails as model-failed and saves nothing', async () => {
    const bad = await createWorkstation({
      dbPath: path.join(dir, 'retina.db'),
      shell: 'browser',
      modelDir: brokenModel,
      user: 'tester',
    });
    try {
      const before = (await dispatchRequest(bad.handlers, 'getMasks', { imageId: '1' }, ctx)) as {
        ok: true;
        value: ResponseOf<'getMasks'>;
      };
      const r = await dispatchRequest(bad.handlers, 'predict', { imageIds: ['1'] }, ctx);
      assert.ok(r.ok);
      const job = await bad.jobs.wait((r.value as { jobId: string }).jobId);
      assert.equal(job.state, 'failed');
      assert.equal(job.error?.code, 'model-failed');
      assert.match(job.error?.message ?? '', /model\.onnx/);
      const after = (await dispatchRequest(bad.handlers, 'getMasks', { imageId: '1' }, ctx)) as typeof before;
      assert.equal(after.value.prediction?.versionId, before.value.prediction?.versionId);
    } finally {
      await bad.close();
    }
  });

  test('cancel: a queued job never runs, a running one stops at an image boundary', async () => {
    const first = await call('predict', { imageIds: ['1', '2', '1', '2', '1', '2'] });
    const second = await call('predict', { imageIds: ['1'] });
    assert.deepEqual(await call('cancelJob', { jobId: second.jobId }), { cancelled: true });
    assert.deepEqual(await call('cancelJob', { jobId: first.jobId }), { cancelled: true });
    const a = await ws.jobs.wait(first.jobId);
    const b = await ws.jobs.wait(second.jobId);
    assert.equal(a.state, 'cancelled');
    assert.ok(a.done < 6, `cancelled job still predicted ${a.done} images`);
    assert.equal(b.state, 'cancelled');
    assert.equal(b.done, 0);
    assert.deepEqual(await call('cancelJob', { jobId: first.jobId }), { cancelled: false });
    const jobs = (await call('listJobs', {})).jobs.map((j) => j.jobId);
    assert.ok(jobs.includes(first.jobId) && jobs.includes(second.jobId));
  });

  test('a mixed upload batch: each bad file reported by the name it was uploaded under, the rest imported', async () => {
    const sample = await readFile(path.join('resources', 'samples', 'fundus-normal-left-eye-cc0.jpg'));
    const upload = async (name: string, from: string | Buffer) => ({
      name,
      bytes: new Uint8Array(typeof from === 'string' ? await readFile(from) : from),
    });
    const files = [
      await upload('05_test.tif', driveTestImage('05')),
      await upload('notes.png', Buffer.from('meeting notes, not a picture')),
      await upload('fundus (copy).jpg', sample.subarray(0, 600)),
      await upload('06_test.tif', driveTestImage('06')),
      // An annotation with no photograph beside it: picked by the user, so reported, not silently dropped.
      await upload(
        '07_manual1.gif',
        path.join(datasetsRoot, 'DRIVE', 'test', '1st_manual', '07_manual1.gif'),
      ),
    ];
    const { jobId } = await call('importFiles', { files });
    const job = await ws.jobs.wait(jobId);
    assert.equal(job.state, 'done', job.error?.message);
    assert.equal(job.message, 'Imported 2 of 5; 3 files could not be imported');
    const reasons = new Map(job.failures?.map((f) => [f.file, f.reason]));
    assert.deepEqual([...reasons.keys()].sort(), ['07_manual1.gif', 'fundus (copy).jpg', 'notes.png']);
    for (const [file, reason] of reasons) {
      assert.ok(reason.length > 0 && !reason.includes('\n'), `not one line: ${reason}`);
      assert.ok(!reason.includes('retina-upload') && !reason.includes(tmpdir()), `a staged path: ${reason}`);
      assert.ok(!reason.startsWith(file), `the reason repeats the name: ${reason}`);
    }
    assert.match(reasons.get('notes.png') ?? '', /unrecognised image format/);
    assert.match(reasons.get('fundus (copy).jpg') ?? '', /JPEG/);
    // listJobs carries the same list, so a reloaded page shows it too.
    const listed = (await call('listJobs', {})).jobs.find((j) => j.jobId === jobId);
    assert.deepEqual(listed?.failures, job.failures);
    const names = (await call('listImages', { offset: 0, limit: 10, sort: 'name' })).items.map(
      (i) => i.fileName,
    );
    assert.deepEqual(names, ['01_test.tif', '02_test.tif', '05_test.tif', '06_test.tif']);
  });

  test('an upload named longer than a file name may be here is imported under its whole name', async () => {
    // 120 Chinese characters: 366 bytes in UTF-8, past Linux's 255, a name Windows and macOS keep.
    const long = `${'眼底'.repeat(60)}_pt-0042_OD.tif`;
    const files = [
      { name: '08_test.tif', bytes: new Uint8Array(await readFile(driveTestImage('08'))) },
      { name: long, bytes: new Uint8Array(await readFile(driveTestImage('09'))) },
    ];
    const { jobId } = await call('importFiles', { files });
    const job = await ws.jobs.wait(jobId);
    assert.equal(job.state, 'done', job.error?.message);
    assert.equal(job.message, 'Imported 2 images');
    const items = (await call('listImages', { offset: 0, limit: 50 })).items;
    const image = items.find((i) => i.fileName === long);
    assert.ok(image, `not listed by its name: ${items.map((i) => i.fileName).join(', ')}`);
    assert.equal(image.laterality, 'OD');
    assert.equal(image.patientPseudonym, '0042');
    assert.ok(items.some((i) => i.fileName === '08_test.tif'));
  });

  test('an upload where every file is bad fails with one line naming them all', async () => {
    const bad = (name: string) => ({ name, bytes: new Uint8Array(Buffer.from(`not ${name}`)) });
    const { jobId } = await call('importFiles', { files: [bad('a.png'), bad('b.jpg')] });
    const job = await ws.jobs.wait(jobId);
    assert.equal(job.state, 'failed');
    assert.equal(job.error?.code, 'unreadable-file');
    assert.equal(job.error?.message, 'none of the 2 files could be imported: a.png, b.jpg');
    assert.deepEqual(
      job.failures?.map((f) => f.file),
      ['a.png', 'b.jpg'],
    );
    assert.equal(job.message, 'Imported 0 of 2; 2 files could not be imported');
  });
});
