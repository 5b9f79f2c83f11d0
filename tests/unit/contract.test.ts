import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  dispatchRequest,
  REQUEST_CHANNELS,
  requestChecks,
  RpcError,
  toErrorPayload,
  validateRequest,
  prob16View,
  type RequestHandlers,
  type RequestChannel,
} from '../../shared/contract.js';
import { driveManual } from './editing-fixtures.js';

const mask = (w: number, h: number, fill = 0) => new Uint8Array(w * h).fill(fill);

// One valid payload per channel: also proves every channel has a validator that accepts real use.
const valid: { [C in RequestChannel]: unknown } = {
  getAppInfo: {},
  reportRendererError: { where: 'view', name: 'TypeError', message: 'x is undefined', stack: null },
  listPatients: { offset: 0, limit: 50, search: 'abc', status: ['new', 'draft'] },
  listStudies: { offset: 10, limit: 1, patientId: 'p1' },
  listImages: { offset: 0, limit: 500, studyId: '7', sort: 'name' },
  getImageInfo: { imageId: '1' },
  getImage: { imageId: '1' },
  getImageThumbnail: { imageId: '1', maxSize: 128 },
  getImagePreview: { imageId: '1', maxSize: 1280 },
  getMasks: { imageId: '1', bits: true },
  getProbabilities: { imageId: '1', versionId: '4' },
  getUncertainty: { imageId: '1', versionId: '4' },
  getMeasurements: { imageId: '1' },
  getReport: { studyId: '3' },
  openReportWindow: { imageId: '1' },
  saveReportPdf: { imageId: '1' },
  compareVisits: { imageId: '1', otherImageId: '2' },
  saveDraft: {
    imageId: '1',
    width: 3,
    height: 2,
    mask: Uint8Array.from([0, 1, 1, 0, 0, 1]),
    parentVersionId: null,
  },
  approveMask: { imageId: '1', width: 2, height: 2, mask: mask(2, 2, 1), parentVersionId: 'v9' },
  reopenMask: { imageId: '1' },
  getMaskVersionPreview: { imageId: '1', versionId: '3' },
  restoreMaskVersion: { imageId: '1', versionId: '3', parentVersionId: '7' },
  savesMade: { imageId: '1', saveIds: ['s-00112233445566'] },
  submitForReview: { imageId: '1' },
  sendBack: { imageId: '1', comment: 'the inferior arcade is missing' },
  assignImages: { imageIds: ['1', '2'], users: ['ann'] },
  listUsers: {},
  getReaders: { imageId: '1' },
  getAgreement: {},
  acquireEditLease: { imageId: '1', clientId: 'window-0001', takeOver: true },
  getEditLease: { imageId: '1', clientId: 'window-0001' },
  releaseEditLease: { imageId: '1', clientId: 'window-0001' },
  listKeptDrafts: { imageId: '1' },
  getKeptDraft: { keptDraftId: '4' },
  adoptKeptDraft: { keptDraftId: '4', parentVersionId: '9', clientId: 'window-0001' },
  getClinicalInfo: { imageId: '1' },
  setClinicalInfo: { imageIds: ['1', '2'], info: { patientId: 'P-001', eye: 'OD', visitDate: '2026-11-30' } },
  previewErasure: { imageIds: ['1'], wholePatients: false },
  getImageHistory: { imageId: '1' },
  eraseImages: { imageIds: ['1', '2'], wholePatients: true },
  exportImages: { parts: ['masks', 'coco'], source: 'best', target: { kind: 'zip' } },
  importFiles: { paths: ['/tmp/a.tif'] },
  importFolder: { path: '/data/x', recursive: true, pairMasks: false },
  importDataset: { path: '/data/DRIVE', kind: 'drive' },
  predict: { imageIds: ['1', '2'] },
  cancelJob: { jobId: 'j1' },
  listJobs: {},
  dismissJob: { jobId: 'j1' },
  getQueue: {},
  listModels: {},
  getActiveModel: {},
  showOpenDialog: { mode: 'folder' },
  openSampleStudy: {},
  startRetrain: {},
  cancelRetrain: {},
  getRetrainStatus: {},
  getRetrainRun: { runId: '3' },
  getRetrainOverlay: { runId: '3', imageId: '1' },
  setRetrainSettings: { autoRetrainAfter: 20 },
  promoteModel: { modelId: '2', reason: 'better on our camera' },
  rejectModel: { modelId: '2' },
  rollbackModel: { modelId: '1' },
};

describe('contract validators', () => {
  test('every channel has a validator, and it accepts a well-formed payload', () => {
    assert.deepEqual([...REQUEST_CHANNELS].sort(), Object.keys(valid).sort());
    for (const c of REQUEST_CHANNELS) assert.equal(requestChecks[c](valid[c], c), null, c);
  });

  test('bad payloads are refused with a message naming the field', () => {
    const cases: [RequestChannel, unknown, RegExp][] = [
      ['listImages', { offset: 0, limit: 0 }, /listImages\.limit must be between 1 and 500/],
      ['listImages', { offset: -1, limit: 5 }, /offset/],
      ['listImages', { offset: 0, limit: 5, status: ['done'] }, /status\[0\] must be one of/],
      ['listImages', { offset: 0, limit: 5, extra: 1 }, /extra is not a known field/],
      ['listPatients', null, /must be an object, got null/],
      ['getImage', { imageId: 5 }, /imageId must be a string/],
      ['getImage', { imageId: '' }, /imageId must have 1 to 128/],
      ['getImageThumbnail', { imageId: 'a', maxSize: 4096 }, /maxSize/],
      ['acquireEditLease', { imageId: '1', clientId: 'w' }, /clientId must have 8 to 128/],
      ['acquireEditLease', { imageId: '1', clientId: 'window-0001', takeOver: 'yes' }, /takeOver/],
      ['saveDraft', { ...(valid.saveDraft as object), clientId: 7 }, /clientId must be a string/],
      ['saveDraft', { ...(valid.saveDraft as object), width: 4 }, /mask has 6 bytes, expected 4x2 = 8/],
      [
        'saveDraft',
        { ...(valid.saveDraft as object), mask: [0, 1, 1, 0, 0, 1] },
        /mask must be bytes.*an array/,
      ],
      [
        'saveDraft',
        { ...(valid.saveDraft as object), mask: Uint8Array.from([0, 1, 255, 0, 0, 1]) },
        /value 255 at pixel 2/,
      ],
      [
        'approveMask',
        { imageId: '1', width: 2, height: 2, mask: mask(2, 2) },
        /parentVersionId must be a string/,
      ],
      ['importFiles', {}, /names no file/],
      ['importFiles', { files: [{ name: 'a.png', bytes: 'AAAA' }] }, /files\[0\]\.bytes must be bytes/],
      ['importDataset', { path: '/x', kind: 'hrf' }, /kind must be one of auto, drive, stare, generic/],
      ['predict', { imageIds: [] }, /imageIds must have 1 to/],
      ['showOpenDialog', { mode: 'save' }, /mode/],
      ['getReport', {}, /exactly one of imageId and studyId/],
      ['getReport', { imageId: '1', studyId: '2' }, /exactly one of imageId and studyId/],
      ['compareVisits', { imageId: '1', otherImageId: '1' }, /compares an image with itself/],
    ];
    for (const [c, payload, re] of cases) {
      assert.throws(
        () => validateRequest(c, payload),
        (e: unknown) => e instanceof RpcError && e.code === 'invalid-request' && re.test(e.message),
        `${c} ${JSON.stringify(payload)}`,
      );
    }
  });

  test('a real DRIVE mask passes as a draft; the same bytes with a wrong size do not', async () => {
    const m = await driveManual(24);
    const req = { imageId: '24', width: m.width, height: m.height, mask: m.data, parentVersionId: 'p' };
    assert.equal(validateRequest('saveDraft', req), req);
    assert.throws(() => validateRequest('saveDraft', { ...req, height: m.height - 1 }), /expected 565x583/);
  });
});

describe('dispatchRequest', () => {
  const calls: string[] = [];
  const handlers = new Proxy({} as RequestHandlers<{ user: string }>, {
    get: (_t, channel: string) => async (req: Record<string, unknown>, ctx: { user: string }) => {
      calls.push(channel);
      if (req.imageId === 'missing')
        throw Object.assign(new Error('image missing not found'), { name: 'NotFoundError' });
      if (req.imageId === 'bad-size')
        throw Object.assign(new Error('mask is 10x10, image is 565x584'), { name: 'MaskSizeError' });
      if (req.imageId === 'boom') throw new TypeError('x is undefined\n    at stack line');
      return { channel, user: ctx.user };
    },
  });

  test('runs the handler only for a known channel with a valid payload, and never throws', async () => {
    assert.deepEqual(await dispatchRequest(handlers, 'getMasks', { imageId: '3' }, { user: 'ann' }), {
      ok: true,
      value: { channel: 'getMasks', user: 'ann' },
    });
    const before = calls.length;
    const unknown = await dispatchRequest(handlers, 'dropTables', {}, { user: 'ann' });
    assert.deepEqual(unknown, {
      ok: false,
      error: { code: 'invalid-request', message: 'unknown channel "dropTables"' },
    });
    const proto = await dispatchRequest(handlers, 'toString', {}, { user: 'ann' });
    assert.equal(proto.ok, false);
    const invalid = await dispatchRequest(handlers, 'getMasks', { imageId: 3 }, { user: 'ann' });
    assert.equal(invalid.ok, false);
    assert.equal(calls.length, before, 'no handler ran for refused requests');
  });

  test('errors from main become readable one-line payloads with a code', async () => {
    const r = async (imageId: string) => dispatchRequest(handlers, 'getImage', { imageId }, { user: 'u' });
    assert.deepEqual(await r('missing'), {
      ok: false,
      error: { code: 'not-found', message: 'image missing not found' },
    });
    assert.deepEqual(await r('bad-size'), {
      ok: false,
      error: { code: 'mask-size', message: 'mask is 10x10, image is 565x584' },
    });
    assert.deepEqual(await r('boom'), { ok: false, error: { code: 'internal', message: 'x is undefined' } });
    assert.deepEqual(toErrorPayload(new RpcError('unsupported', 'no dialogs in browser mode')), {
      code: 'unsupported',
      message: 'no dialogs in browser mode',
    });
  });

  test('prob16 bytes decode as little-endian uint16, aligned or not', () => {
    const bytes = Uint8Array.from([0x01, 0x00, 0xff, 0xff, 0x34, 0x12]);
    assert.deepEqual([...prob16View(bytes)], [1, 65535, 0x1234]);
    const shifted = new Uint8Array(7);
    shifted.set(bytes, 1);
    assert.deepEqual([...prob16View(shifted.subarray(1))], [1, 65535, 0x1234]);
    assert.throws(() => prob16View(new Uint8Array(3)), /even/);
  });
});
