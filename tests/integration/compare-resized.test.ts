// A second visit photographed at another size: DRIVE 02 and a copy 1.5 times larger (sharp), each with RITE's
// vessels and DRIVE-OD's disc scaled with it, compared through the handler table. With the disc, lengths are in disc
// diameters: the visits register (scale 2/3) and the zone measures do not change beyond their intervals. Without it,
// lengths are in pixels of different sizes and are not compared.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { createWorkstation, type CallerContext, type Workstation } from '../../main/handlers/index.js';
import { importImageFiles } from '../../main/store/index.js';
import { dispatchRequest, type RequestChannel, type ResponseOf } from '../../shared/contract.js';
import { driveTestImagePath, referenceAnatomy, type ReferenceAnatomy } from './measure-fixture.js';

const ctx: CallerContext = { shell: 'browser', sender: 'test' };
const S = 1.5;

describe('two visits photographed at different sizes', () => {
  let dir: string;
  let ws: Workstation;
  let ref: ReferenceAnatomy;
  let small: string;
  let large: string;
  /** Each image's latest draft, the next one's parent. */
  const saved = new Map<string, string>();

  async function invoke<C extends RequestChannel>(channel: C, payload: unknown): Promise<ResponseOf<C>> {
    const r = await dispatchRequest(ws.handlers, channel, payload, ctx);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
    return r.value as ResponseOf<C>;
  }
  const importFile = async (imagePath: string) =>
    String((await importImageFiles(ws.store, [{ imagePath }], { actor: 'ann' })).imported[0].imageId);

  /** Both visits' drafts, with their discs or without. */
  async function save(withDisc: boolean) {
    const W = Math.round(ref.width * S);
    const H = Math.round(ref.height * S);
    const up = (src: Uint8Array) =>
      Uint8Array.from({ length: W * H }, (_, i) => {
        const x = Math.min(ref.width - 1, Math.floor((i % W) / S));
        const y = Math.min(ref.height - 1, Math.floor(Math.floor(i / W) / S));
        return src[y * ref.width + x];
      });
    const { x, y, diameter } = ref.disc;
    for (const [imageId, width, height, mask, av, disc] of [
      [small, ref.width, ref.height, ref.mask, ref.av, ref.disc],
      [large, W, H, up(ref.mask), up(ref.av), { x: x * S, y: y * S, diameter: diameter * S }],
    ] as const) {
      const parentVersionId = saved.get(imageId) ?? null;
      const anatomy = { disc: withDisc ? disc : null, fovea: null, laterality: null };
      const v = await invoke('saveDraft', { imageId, width, height, mask, av, parentVersionId, anatomy });
      saved.set(imageId, v.versionId);
    }
  }

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'retina-resized-'));
    ws = await createWorkstation({
      dbPath: path.join(dir, 'retina.db'),
      shell: 'browser',
      user: 'ann',
      anatomyModels: dir,
    });
    ref = await referenceAnatomy('02');
    const largePath = path.join(dir, '02_test_large.png');
    await sharp(driveTestImagePath('02'))
      .resize(Math.round(ref.width * S), Math.round(ref.height * S))
      .png()
      .toFile(largePath);
    small = await importFile(driveTestImagePath('02'));
    large = await importFile(largePath);
    const info = { patientId: 'P-3', eye: 'OD' };
    await invoke('setClinicalInfo', { imageIds: [small], info: { ...info, visitDate: '2025-03-01' } });
    await invoke('setClinicalInfo', { imageIds: [large], info: { ...info, visitDate: '2026-03-01' } });
  });

  after(async () => {
    await ws?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('with the disc: registered, in disc diameters, and the zone B measures within their intervals', async () => {
    await save(true);
    const cmp = await invoke('compareVisits', { imageId: large, otherImageId: small });
    assert.equal(cmp.earlier.imageId, small);
    assert.ok(Math.abs(cmp.comparison.registration!.scale - 1 / S) < 1e-9);
    for (const key of ['crae', 'crve', 'avr', 'calibre'] as const) {
      const c = cmp.comparison.changes.find((x) => x.key === key)!;
      assert.notEqual(c.change, null, key);
      assert.equal(c.exceeds, false, `${key} changed by ${c.change} (${c.ci95?.join(' to ')})`);
      if (key !== 'avr') assert.equal(c.unit, 'DD');
    }
    // The drafts have no probability map: density's interval is its value, and resampling moved it by 0.0004.
    const density = cmp.comparison.changes.find((x) => x.key === 'vesselDensity')!;
    assert.equal(density.exceeds, false, `density changed by ${density.change}`);
  });

  test('without a disc: lengths in pixels of different sizes are not compared', async () => {
    await save(false);
    const cmp = await invoke('compareVisits', { imageId: small, otherImageId: large });
    const calibre = cmp.comparison.changes.find((x) => x.key === 'calibre')!;
    assert.equal(calibre.unit, 'px');
    // It read as a 47% widening beyond the interval.
    assert.equal(calibre.change, null, `calibre changed by ${calibre.change}`);
    assert.equal(calibre.exceeds, false);
    assert.match(calibre.reason!, /pixels of photographs of different sizes \(565×584 and 848×876\)/);
  });
});
