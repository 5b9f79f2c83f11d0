// Photograph formats RetinaStudio does not decode (HEIC from phone-based fundus adapters, AVIF, JPEG 2000, JPEG XL,
// camera raw), recognised by name and by content so that such a file is named with what to do, never passed over
// in silence or called "unrecognised". sharp's prebuilt libvips reads none of them reliably (HEIC needs a patented
// HEVC decoder it leaves out).
import { extname } from 'node:path';

const BY_EXTENSION: ReadonlyMap<string, string> = new Map([
  ['.heic', 'HEIC'],
  ['.heif', 'HEIF'],
  ['.avif', 'AVIF'],
  ['.jxl', 'JPEG XL'],
  ['.jp2', 'JPEG 2000'],
  ['.j2k', 'JPEG 2000'],
  ['.jpx', 'JPEG 2000'],
  ['.dng', 'camera raw (DNG)'],
  ['.cr2', 'camera raw (CR2)'],
  ['.cr3', 'camera raw (CR3)'],
  ['.nef', 'camera raw (NEF)'],
  ['.arw', 'camera raw (ARW)'],
]);

/** The format a file name says it holds, when it is one of those not read; null otherwise. */
export function unreadFormatOfName(name: string): string | null {
  return BY_EXTENSION.get(extname(name).toLowerCase()) ?? null;
}

const ascii = (buf: Uint8Array, from: number, to: number): string =>
  String.fromCharCode(...buf.subarray(from, Math.min(to, buf.length)));

/** The format the first bytes show, when it is one of those not read; null otherwise. */
export function unreadFormatOfContent(buf: Uint8Array): string | null {
  // ISO base media file: a 'ftyp' box first, its major brand naming HEIF's kinds.
  if (ascii(buf, 4, 8) === 'ftyp') {
    const brand = ascii(buf, 8, 12);
    if (brand === 'avif' || brand === 'avis') return 'AVIF';
    if (['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis'].includes(brand)) return 'HEIC';
    if (brand === 'mif1' || brand === 'msf1') return 'HEIF';
    if (brand === 'jp2 ' || brand === 'jpx ') return 'JPEG 2000';
  }
  if (ascii(buf, 4, 12) === 'jP  \r\n\x87\n') return 'JPEG 2000';
  if (buf[0] === 0xff && buf[1] === 0x4f && buf[2] === 0xff && buf[3] === 0x51) return 'JPEG 2000'; // raw codestream
  if ((buf[0] === 0xff && buf[1] === 0x0a) || ascii(buf, 4, 8) === 'JXL ') return 'JPEG XL';
  return null;
}

/** What to tell the user about a file of such a format. */
export function unreadFormatAdvice(format: string): string {
  return `${format} photographs are not read: convert them to JPEG, PNG or TIFF`;
}
