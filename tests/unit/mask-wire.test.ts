// A mask save's compact wire form (shared/mask-wire.ts), with the renderer's deflater (the platform's
// CompressionStream) and the server's inflater (Node's zlib): the same pixels arrive, an older window's save passes
// as it is, and a payload that cannot be the window's mask is refused with what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { COMPACT_FIELD, fromWire, MaskWireError, toWire } from '../../shared/mask-wire.js';
import { deflate } from '../../renderer/src/transport/deflate.js';
import { inflate } from '../../main/server/inflate.js';
import { drawnMask } from '../support/drawn-masks.js';
import type { SaveMaskRequest } from '../../shared/contract.js';

const W = 301;
const H = 203; // neither a multiple of 8: the packed mask's last byte is partial
const mask = drawnMask(W, H, [
  [0, 0, 300, 202],
  [10, 190, 290, 15],
]);
const av = mask.map((v, p) => (v ? 1 + (p % 2) : 0));
const save: SaveMaskRequest = { imageId: 'img', width: W, height: H, mask, av, parentVersionId: 'v1' };

type Wire = Record<string, unknown> & { [COMPACT_FIELD]: { mask: Uint8Array; labels?: Uint8Array } };
const wire = async (request: SaveMaskRequest = save): Promise<Wire> =>
  (await toWire('saveDraft', request, deflate)) as Wire;
const refused = (payload: unknown, why: RegExp): void =>
  assert.throws(
    () => fromWire('saveDraft', payload, inflate),
    (e: unknown) => e instanceof MaskWireError && why.test(e.message),
  );

test('a save crosses compacted and arrives as it was sent; other requests pass as they are', async () => {
  const sent = await wire();
  assert.equal('mask' in sent, false);
  assert.equal('av' in sent, false);
  const bytes = sent[COMPACT_FIELD].mask.length + (sent[COMPACT_FIELD].labels?.length ?? 0);
  assert.ok(bytes < (W * H) / 20, `${bytes} bytes on the wire`);
  assert.deepEqual(fromWire('approveMask', sent, inflate), save);

  const { av: _none, ...plain } = save;
  const unlabelled = await wire(plain);
  assert.equal(unlabelled[COMPACT_FIELD].labels, undefined);
  assert.deepEqual(fromWire('saveDraft', unlabelled, inflate), plain);

  const other = { imageId: 'img' };
  assert.equal(await toWire('getMasks', other, deflate), other);
  assert.equal(fromWire('getMasks', other, inflate), other);
});

test("an older window's save (mask and labels a byte a pixel) is taken as it is", () => {
  assert.equal(fromWire('saveDraft', save, inflate), save);
});

test('a mask the contract refuses (another size, a value not 0/1) crosses as it is, for it to say why', async () => {
  for (const odd of [
    { ...save, height: H - 1 },
    { ...save, mask: mask.map((v) => v * 2) },
  ])
    assert.equal(await toWire('saveDraft', odd, deflate), odd);
});

test('labels off the mask cross as they are, for the store to refuse them as before', async () => {
  const stray = new Uint8Array(av);
  stray[150] = 2;
  assert.equal(mask[150], 0);
  const sent = await wire({ ...save, av: stray });
  assert.equal(sent[COMPACT_FIELD].labels, undefined);
  assert.deepEqual((fromWire('saveDraft', sent, inflate) as SaveMaskRequest).av, stray);
});

test('a payload that is not the mask the request names is refused, saying what is wrong', async () => {
  const sent = await wire();
  const { mask: packed, labels } = sent[COMPACT_FIELD];
  const withMask = (bytes: unknown): unknown => ({ ...sent, [COMPACT_FIELD]: { mask: bytes, labels } });

  // Another image's size: the pixels do not fill it, or overflow it.
  refused({ ...sent, height: H + 8 }, /compact\.mask decodes to \d+ bytes, expected \d+/);
  refused({ ...sent, height: H - 8 }, /compact\.mask does not decode \(it inflates to more than \d+ bytes\)/);
  refused({ ...sent, width: 0 }, /is 0x203, not an image size/);
  refused({ ...sent, width: 70_000, height: 70_000 }, /not an image size/);

  // Corrupt: a flipped byte inside, a checksum that does not match, cut short, not zlib, not binary.
  const flipped = packed.slice();
  flipped[Math.floor(flipped.length / 2)] ^= 0x5a;
  refused(withMask(flipped), /compact\.mask (does not decode|decodes to)/);
  const badSum = packed.slice();
  badSum[badSum.length - 1] ^= 1;
  refused(withMask(badSum), /compact\.mask does not decode \(.*check/i);
  refused(withMask(packed.subarray(0, packed.length - 9)), /compact\.mask does not decode/);
  refused(withMask(new Uint8Array([1, 2, 3, 4])), /compact\.mask does not decode/);
  refused(withMask('AAAA'), /compact\.mask is not binary/);
  refused({ ...sent, [COMPACT_FIELD]: null }, /compact is not an object/);

  // A small payload that inflates far past the image (a "zip bomb") stops at the image's size.
  refused(withMask(deflateSync(new Uint8Array(64 * 1024 * 1024))), /inflates to more than/);

  // Labels for another mask: one fewer, or one more, than its pixels.
  const vessel = mask.reduce((n, v) => n + v, 0);
  const fewer = deflateSync(new Uint8Array(vessel - 1).fill(1));
  refused({ ...sent, [COMPACT_FIELD]: { mask: packed, labels: fewer } }, /labels decodes to/);
  const more = deflateSync(new Uint8Array(vessel + 1).fill(1));
  refused({ ...sent, [COMPACT_FIELD]: { mask: packed, labels: more } }, /labels does not decode/);

  // Both forms at once: which one was meant is not known.
  refused({ ...sent, mask }, /carries both mask and compact/);
  refused({ ...sent, av }, /carries both av and/);
});
