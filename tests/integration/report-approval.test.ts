// What the measurement report says about the mask it measured, on a real database and DRIVE photograph: the model
// named is the one whose prediction the approved mask was corrected from, not whichever model predicted last.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createWorkstation, type CallerContext, type Workstation } from '../../main/handlers/index.js';
import { importImageFiles, registerModel, saveMaskVersion } from '../../main/store/index.js';
import { dispatchRequest, type RequestChannel, type ResponseOf } from '../../shared/contract.js';
import { driveTestImagePath, referenceAnatomy, type ReferenceAnatomy } from './measure-fixture.js';

const ctx: CallerContext = { shell: 'browser', sender: 'test' };

describe('the report names the model behind the measured mask', () => {
  let dir: string;
  let ws: Workstation;
  let ref: ReferenceAnatomy;

  async function invoke<C extends RequestChannel>(channel: C, payload: unknown): Promise<ResponseOf<C>> {
    const r = await dispatchRequest(ws.handlers, channel, payload, ctx);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
    return r.value as ResponseOf<C>;
  }
  const model = (name: string) =>
    registerModel(ws.store, { name, dirPath: path.join(dir, name), architecture: {} }, 'ann').id;
  const predict = async (imageId: number, modelId: number) =>
    saveMaskVersion(ws.store, {
      imageId,
      kind: 'prediction',
      author: 'model',
      mask: { width: ref.width, height: ref.height, data: ref.mask },
      modelId,
    });
  const approve = (imageId: number, parent: number | null) =>
    invoke('approveMask', {
      imageId: String(imageId),
      width: ref.width,
      height: ref.height,
      mask: ref.mask,
      parentVersionId: parent === null ? null : String(parent),
    });
  /** How the report names an approval's reviewer and time (in UTC, said so: a printed page travels). */
  const by = (v: { createdAt: string }) =>
    ` (approved by ann on ${v.createdAt.slice(0, 10)} ${v.createdAt.slice(11, 16)} UTC)`;
  /** The report's line naming the mask measured (any DRIVE photograph takes the reference mask of 02). */
  const maskLine = async (imageId: number) =>
    /\d\d_test[^<]*: (?:approved mask|draft|prediction) v\d+[^<]*/.exec(
      (await invoke('getReport', { imageId: String(imageId) })).html,
    )?.[0];
  const importPhoto = async (id: string) =>
    (await importImageFiles(ws.store, [{ imagePath: driveTestImagePath(id) }], { actor: 'ann' })).imported[0]
      .imageId;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-report-approval-'));
    ws = await createWorkstation({
      dbPath: path.join(dir, 'retina.db'),
      shell: 'browser',
      user: 'ann',
      anatomyModels: dir,
    });
    ref = await referenceAnatomy('02');
  });
  after(async () => {
    await ws?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('an approval corrected from model-alpha prediction stays model-alpha after model-beta predicts', async () => {
    const alpha = model('model-alpha');
    const beta = model('model-beta');
    const imageId = await importPhoto('02');
    const approved = await approve(imageId, (await predict(imageId, alpha)).id);
    // Asked for after the approval (Predict on the worklist with a newly promoted model): the approval stands.
    await predict(imageId, beta);
    assert.equal(
      await maskLine(imageId),
      `02_test.tif: approved mask v${approved.version}${by(approved)}, model model-alpha`,
    );

    // A mask drawn from nothing (or a dataset's label) was predicted by no model, whatever predicted since.
    const drawn = await importPhoto('03');
    const own = await approve(drawn, null);
    await predict(drawn, beta);
    assert.equal(await maskLine(drawn), `03_test.tif: approved mask v${own.version}${by(own)}`);
  });

  test('an approved mask is named with who approved it and when; a draft is not said to be approved', async () => {
    const alpha = model('model-gamma');
    const imageId = await importPhoto('04');
    const prediction = await predict(imageId, alpha);
    const approved = await approve(imageId, prediction.id);
    const html = (await invoke('getReport', { imageId: String(imageId) })).html;
    assert.match(
      html,
      new RegExp(
        `approved mask v${approved.version} \\(approved by ann on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\)`,
      ),
    );
    assert.doesNotMatch(html, /Not approved/);
    await invoke('reopenMask', { imageId: String(imageId) });
    const draft = await maskLine(imageId);
    assert.match(
      draft ?? '',
      /^04_test\.tif: draft v\d+, model model-gamma$/,
      'a reopened draft names no approval',
    );
  });
});
