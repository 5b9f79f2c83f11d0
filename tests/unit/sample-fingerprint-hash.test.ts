// A model manifest, which clinics export and share, records the photographs it learnt as one-way hashes: no
// picture of a patient's photograph, yet a re-encoded, resized or PNG copy of one is still found, and another
// photograph is not. Real DRIVE photographs and the bundled manifests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import {
  decodeFingerprint,
  encodeFingerprint,
  fileFingerprint,
  isHashCopy,
  recordFingerprints,
} from '../../main/ml/image/thumbnail-fingerprint.js';
import { readManifest } from '../../main/ml/model/model-dir.js';
import { datasetsRoot } from '../../main/node/package-root.js';
import { repoRoot } from '../e2e/model-fixture.js';

const DRIVE = path.join(datasetsRoot(), 'DRIVE');
const skip = existsSync(DRIVE) ? false : 'DRIVE is not on this machine';
const photo = (n: string): string => path.join(DRIVE, 'training', 'images', `${n}_training.tif`);

/** The hash a manifest records of a file. */
async function recorded(file: string): Promise<Uint8Array> {
  const text = encodeFingerprint(await fileFingerprint(file));
  assert.ok(text !== null, file);
  assert.ok(text.length <= 48, `a recorded fingerprint of ${text.length} characters can hold a thumbnail`);
  return decodeFingerprint(text)!;
}

test('copies of a photograph match its recorded hash; other photographs do not', { skip }, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-fp-hash-'));
  try {
    const original = await recorded(photo('21'));
    const copies: [string, Sharp][] = [
      ['q70.jpg', sharp(photo('21')).jpeg({ quality: 70 })],
      ['q90.jpg', sharp(photo('21')).jpeg({ quality: 90 })],
      ['small.jpg', sharp(photo('21')).resize({ width: 280 }).jpeg({ quality: 80 })],
      ['large.png', sharp(photo('21')).resize({ width: 1200 }).png()],
    ];
    for (const [name, image] of copies) {
      await image.toFile(path.join(dir, name));
      assert.ok(isHashCopy(await recorded(path.join(dir, name)), [original]), name);
    }
    // DRIVE's 30 and 32 are its two most alike photographs (their thumbnails correlate 0.84).
    const others = await Promise.all(['22', '30', '32'].map((n) => recorded(photo(n))));
    assert.equal(isHashCopy(original, others), false);
    assert.equal(isHashCopy(others[1], [others[2]]), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("an older manifest's thumbnail is read as its hash, and carried on as one", { skip }, async () => {
  const fp = await fileFingerprint(photo('23'));
  // The earlier format: one byte a cell, 0 outside the field, the rest scaled to span the byte.
  const inside = [...fp].filter((v) => !Number.isNaN(v));
  const mean = inside.reduce((s, v) => s + v, 0) / inside.length;
  const span = Math.max(...inside.map((v) => Math.abs(v - mean)));
  const bytes = Buffer.from(
    fp.map((v) => (Number.isNaN(v) ? 0 : Math.round(128 + (127 * (v - mean)) / span))),
  );
  const old = bytes.toString('base64');
  const hash = decodeFingerprint(old);
  assert.ok(hash && isHashCopy(hash, [await recorded(photo('23'))]));
  const carried = await recordFingerprints([], { 'drive/23_training': old });
  assert.ok(carried['drive/23_training'].length <= 48, 'a new manifest carries the parent thumbnail');
});

test('the bundled manifests record hashes, not thumbnails', async () => {
  for (const model of ['default', 'artery-vein', 'optic-disc']) {
    const manifest = await readManifest(path.join(repoRoot, 'resources', 'models', model));
    const prints = Object.entries(manifest.sampleFingerprints ?? {});
    assert.ok(prints.length > 30, model);
    for (const [name, text] of prints) {
      assert.ok(text.length <= 48, `${model}: ${name} is recorded as a thumbnail`);
      assert.ok(decodeFingerprint(text), `${model}: ${name}`);
    }
  }
});

const SAMPLE = path.join(repoRoot, 'resources', 'samples', 'fundus-normal-left-eye-cc0.jpg');

test('a dark photograph is fingerprinted and its copies found; a blank image has no fingerprint', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'retina-fp-dark-'));
  const file = (name: string): string => path.join(dir, name);
  const hashOf = async (name: string): Promise<Uint8Array | null> => {
    const text = encodeFingerprint(await fileFingerprint(file(name)));
    return text === null ? null : decodeFingerprint(text);
  };
  try {
    // The shipped photograph underexposed: nine tenths of it below 10 of 255 in green, its brightest 51.
    await sharp(SAMPLE).linear(0.4, -30).png().toFile(file('dark.png'));
    await sharp(SAMPLE).flop().linear(0.4, -30).png().toFile(file('other.png'));
    const dark = await hashOf('dark.png');
    assert.ok(dark, 'a dark photograph has a fingerprint');
    const copies: [string, Sharp][] = [
      ['q70.jpg', sharp(file('dark.png')).jpeg({ quality: 70 })],
      ['small.jpg', sharp(file('dark.png')).resize({ width: 300 }).jpeg({ quality: 80 })],
      ['large.png', sharp(file('dark.png')).resize({ width: 2000 }).png()],
    ];
    for (const [name, image] of copies) {
      await image.toFile(file(name));
      const copy = await hashOf(name);
      assert.ok(copy && isHashCopy(copy, [dark]), name);
    }
    assert.equal(isHashCopy((await hashOf('other.png'))!, [dark]), false, 'another dark photograph');
    // Blank images (black, flat grey, an even ramp): nothing to tell one from another.
    const size = { width: 600, height: 400, channels: 3 } as const;
    await sharp({ create: { ...size, background: '#000' } })
      .png()
      .toFile(file('black.png'));
    await sharp({ create: { ...size, background: '#0b0b0b' } })
      .png()
      .toFile(file('dim.png'));
    await sharp({ create: { ...size, background: '#808080' } })
      .jpeg()
      .toFile(file('grey.jpg'));
    const ramp = Buffer.alloc(600 * 400 * 3, 0).map((_, i) => 20 + Math.floor((i / 3) % 600) / 5);
    await sharp(ramp, { raw: size }).png().toFile(file('ramp.png'));
    for (const name of ['black.png', 'dim.png', 'grey.jpg', 'ramp.png']) {
      assert.equal(await hashOf(name), null, name);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
