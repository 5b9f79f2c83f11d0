// File names a file system accepts: at most 255 bytes a name (ext4, XFS; 255 UTF-16 units on APFS and NTFS, which a
// name of 255 UTF-8 bytes never exceeds). A photograph's own name may already be that long, and outputs named
// after it (`<stem>_uncertainty.png`) then fail with ENAMETOOLONG.
import { createHash } from 'node:crypto';

export const NAME_MAX_BYTES = 255;

const HASH_CHARS = 8;
const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest start of `text` within `maxBytes` of UTF-8, cut between characters (an accent stays with its letter). */
export function utf8Prefix(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  for (const { segment } of graphemes.segment(text)) {
    bytes += utf8Bytes(segment);
    if (bytes > maxBytes) break;
    out += segment;
  }
  return out;
}

/**
 * `stem` as it is when `stem + suffix` fits a file name for every suffix up to `suffixBytes` bytes; else its start
 * and `~` and a short hash of the whole stem, so that two long names sharing their start stay apart.
 */
export function fitStem(stem: string, suffixBytes: number): string {
  const room = NAME_MAX_BYTES - suffixBytes;
  if (utf8Bytes(stem) <= room) return stem;
  const hash = createHash('sha256').update(stem).digest('hex').slice(0, HASH_CHARS);
  return `${utf8Prefix(stem, room - HASH_CHARS - 1)}~${hash}`;
}
