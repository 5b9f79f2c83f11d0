// A mask save's pixels as browser mode sends them. Sent as they are (a byte per pixel, labels another), saving a
// 3504x2336 photograph's mask was a 16 MB request, and a hospital's reverse proxy (nginx's client_max_body_size,
// 1 MB by default) refused every one. On the wire the mask is packed 8 pixels a byte (mask-bits.ts) and
// zlib-deflated, and the artery/vein labels are sent only at the mask's pixels (where the store wants them), also
// deflated: a few hundred KB. Deflating and inflating are passed in (the browser's CompressionStream, Node's
// zlib), so this stays pure; the inflater must check the zlib checksum and stop past `maxLength`.
import { MAX_PIXELS, type RequestChannel, type SaveMaskRequest } from './contract.js';
import { packBits, packedLength, unpackBits } from './mask-bits.js';
import { isUint8Array } from './validate.js';

/** The requests that carry a mask to save. */
const SAVES: ReadonlySet<RequestChannel> = new Set<RequestChannel>(['saveDraft', 'approveMask']);

/** The wire field that holds the compact pixels (an older window sends `mask` and `av` as they are instead). */
export const COMPACT_FIELD = 'compact';

interface CompactPixels {
  /** zlib(packBits(mask)). */
  mask: Uint8Array;
  /** zlib of the label of each mask pixel, in pixel order. */
  labels?: Uint8Array;
}

export type Deflate = (bytes: Uint8Array) => Promise<Uint8Array>;
/** Inflates zlib data; throws when it is corrupt (checksum included) or inflates to more than `maxLength` bytes. */
export type Inflate = (bytes: Uint8Array, maxLength: number) => Uint8Array;

/** A compact payload that cannot be what the window meant: the request is refused and nothing is saved. */
export class MaskWireError extends Error {
  override name = 'MaskWireError';
}

/** Whether every label lies on a mask pixel: only then are they sent as the mask pixels' labels. */
function labelsOnMask(mask: Uint8Array, av: Uint8Array): boolean {
  for (let p = 0; p < av.length; p++) if (av[p] !== 0 && mask[p] === 0) return false;
  return true;
}

/** Whether `mask` is a 0/1 mask of its request's size: anything else goes as it is, for the contract to refuse. */
function isMaskOfSize({ mask, width, height }: SaveMaskRequest): boolean {
  if (!isUint8Array(mask) || mask.length !== width * height) return false;
  for (let p = 0; p < mask.length; p++) if (mask[p] > 1) return false;
  return true;
}

/** `request` as sent over HTTP: a save's pixels compacted, any other request as it is. */
export async function toWire(channel: RequestChannel, request: unknown, deflate: Deflate): Promise<unknown> {
  if (!SAVES.has(channel) || !isMaskOfSize(request as SaveMaskRequest)) return request;
  const { mask, av, ...rest } = request as SaveMaskRequest;
  const compact: CompactPixels = { mask: await deflate(packBits(mask)) };
  // Labels off the mask are refused by the store; they go as they are so it is the store that says so.
  const keepAv = av && !labelsOnMask(mask, av) ? { av } : {};
  if (av && !keepAv.av) {
    let vessel = 0;
    for (let p = 0; p < mask.length; p++) vessel += mask[p] !== 0 ? 1 : 0;
    const labels = new Uint8Array(vessel);
    for (let p = 0, k = 0; p < mask.length; p++) if (mask[p] !== 0) labels[k++] = av[p];
    compact.labels = await deflate(labels);
  }
  return { ...rest, ...keepAv, [COMPACT_FIELD]: compact };
}

const pixelCount = (width: unknown, height: unknown): number | null =>
  Number.isInteger(width) &&
  Number.isInteger(height) &&
  (width as number) > 0 &&
  (height as number) > 0 &&
  (width as number) * (height as number) <= MAX_PIXELS
    ? (width as number) * (height as number)
    : null;

/** Inflates `bytes` to exactly `length` bytes, or says which field is wrong. */
function inflateExactly(inflate: Inflate, bytes: unknown, length: number, field: string): Uint8Array {
  if (!isUint8Array(bytes)) throw new MaskWireError(`${field} is not binary`);
  let out: Uint8Array;
  try {
    out = inflate(bytes, length);
  } catch (err) {
    throw new MaskWireError(`${field} does not decode (${(err as Error).message})`);
  }
  if (out.length !== length)
    throw new MaskWireError(`${field} decodes to ${out.length} bytes, expected ${length}`);
  return out;
}

/**
 * A request as received: a save's compact pixels back as the contract's `mask` (and `av`); an older window's save,
 * already in that form, and any other request as they are. Throws MaskWireError for a payload that does not decode
 * to the size the request names.
 */
export function fromWire(channel: RequestChannel, payload: unknown, inflate: Inflate): unknown {
  if (!SAVES.has(channel) || payload === null || typeof payload !== 'object' || !(COMPACT_FIELD in payload))
    return payload;
  const { [COMPACT_FIELD]: compact, ...rest } = payload as Record<string, unknown>;
  const where = `${channel}.${COMPACT_FIELD}`;
  if ('mask' in rest) throw new MaskWireError(`${channel} carries both mask and ${COMPACT_FIELD}`);
  if (compact === null || typeof compact !== 'object') throw new MaskWireError(`${where} is not an object`);
  const { mask: packedMask, labels } = compact as Partial<CompactPixels>;
  const pixels = pixelCount(rest.width, rest.height);
  if (pixels === null)
    throw new MaskWireError(`${channel} is ${String(rest.width)}x${String(rest.height)}, not an image size`);
  const mask = unpackBits(inflateExactly(inflate, packedMask, packedLength(pixels), `${where}.mask`), pixels);
  if (labels === undefined) return { ...rest, mask };
  if ('av' in rest) throw new MaskWireError(`${channel} carries both av and ${where}.labels`);
  let vessel = 0;
  for (let p = 0; p < pixels; p++) vessel += mask[p];
  const onMask = inflateExactly(inflate, labels, vessel, `${where}.labels`);
  const av = new Uint8Array(pixels);
  for (let p = 0, k = 0; p < pixels; p++) if (mask[p] !== 0) av[p] = onMask[k++];
  return { ...rest, mask, av };
}
