// A minimal DICOM writer (explicit VR little endian), enough for Ophthalmic Photography: pixels, laterality,
// spacing, patient and study, and optionally the patient's name and the field of view; or, JPEG-compressed, the
// pixel data encapsulated as the standard lays it out (an empty basic offset table, then the JPEG in fragments).
import { writeFileSync } from 'node:fs';

type El = [group: number, element: number, vr: string, value: string | number | Uint8Array];

function floatLE(v: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  return b;
}

function dicomElement([group, element, vr, value]: El): Buffer {
  let data: Buffer;
  if (typeof value === 'number') {
    data = Buffer.alloc(vr === 'UL' ? 4 : 2);
    if (vr === 'UL') data.writeUInt32LE(value);
    else data.writeUInt16LE(value);
  } else if (typeof value === 'string') {
    data = Buffer.from(value, 'latin1');
    if (data.length % 2) data = Buffer.concat([data, Buffer.from(vr === 'UI' ? '\0' : ' ')]);
  } else {
    data = Buffer.from(value);
    if (data.length % 2) data = Buffer.concat([data, Buffer.alloc(1)]);
  }
  const long = ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr);
  const head = Buffer.alloc(long ? 12 : 8);
  head.writeUInt16LE(group, 0);
  head.writeUInt16LE(element, 2);
  head.write(vr, 4, 'latin1');
  if (long) head.writeUInt32LE(data.length, 8);
  else head.writeUInt16LE(data.length, 6);
  return Buffer.concat([head, data]);
}

/** Encapsulated pixel data: (7FE0,0010) OB of undefined length, items (FFFE,E000), a sequence delimiter. */
function encapsulated(fragments: Uint8Array[]): Buffer {
  const item = (data: Uint8Array): Buffer => {
    const even = data.length % 2 ? Buffer.concat([Buffer.from(data), Buffer.alloc(1)]) : Buffer.from(data);
    const head = Buffer.alloc(8);
    head.writeUInt16LE(0xfffe, 0);
    head.writeUInt16LE(0xe000, 2);
    head.writeUInt32LE(even.length, 4);
    return Buffer.concat([head, even]);
  };
  const head = Buffer.alloc(12);
  head.writeUInt16LE(0x7fe0, 0);
  head.writeUInt16LE(0x0010, 2);
  head.write('OB', 4, 'latin1');
  head.writeUInt32LE(0xffffffff, 8);
  const end = Buffer.alloc(8);
  end.writeUInt16LE(0xfffe, 0);
  end.writeUInt16LE(0xe0dd, 2);
  return Buffer.concat([head, item(new Uint8Array(0)), ...fragments.map(item), end]);
}

export function writeDicom(
  path: string,
  img: { width: number; height: number; rgb: Uint8Array },
  opts: {
    /** JPEG bytes of the image, split into these many fragments (transfer syntax JPEG baseline unless given). */
    jpeg?: { bytes: Uint8Array; fragments: number };
    /** Number of Frames: the image repeated (uncompressed), or each frame's JPEG in a fragment of its own. */
    frames?: number;
    transferSyntax?: string;
    laterality?: string;
    patientId?: string;
    /** Patient's Name (0010,0010), e.g. "DOE^JANE". */
    patientName?: string;
    /** Horizontal Field of View (0022,000C), degrees. */
    fieldOfViewDeg?: number;
    /** Specific Character Set (0008,0005); 'ISO_IR 192' writes the patient's name in UTF-8. */
    characterSet?: string;
    /** Pixel Spacing (0028,0030) as written, '' for none (default 0.0125\\0.0130 mm). */
    pixelSpacing?: string;
    /** Study Date (0008,0020) as written (default 20240315). */
    studyDate?: string;
    /** Patient's Birth Date (0010,0030) as written (default 19610101). */
    birthDate?: string;
    /** Study Instance UID (0020,000D) (default 1.2.3.4.99). */
    studyUid?: string;
  } = {},
): void {
  const syntax = opts.transferSyntax ?? (opts.jpeg ? '1.2.840.10008.1.2.4.50' : '1.2.840.10008.1.2.1');
  const sopClass = '1.2.840.10008.5.1.4.1.1.77.1.5.1'; // Ophthalmic Photography 8 Bit Image Storage
  const meta = Buffer.concat(
    (
      [
        [0x0002, 0x0001, 'OB', Uint8Array.from([0, 1])],
        [0x0002, 0x0002, 'UI', sopClass],
        [0x0002, 0x0003, 'UI', '1.2.3.4.5.6.7'],
        [0x0002, 0x0010, 'UI', syntax],
      ] as El[]
    ).map(dicomElement),
  );
  const body = Buffer.concat(
    (
      [
        ...(opts.characterSet ? [[0x0008, 0x0005, 'CS', opts.characterSet]] : []),
        [0x0008, 0x0016, 'UI', sopClass],
        [0x0008, 0x0018, 'UI', '1.2.3.4.5.6.7'],
        [0x0008, 0x0020, 'DA', opts.studyDate ?? '20240315'],
        [0x0008, 0x0060, 'CS', 'OP'],
        [0x0008, 0x0070, 'LO', 'Acme'],
        [0x0008, 0x1090, 'LO', 'FundusCam 3'],
        ...(opts.patientName
          ? [
              [
                0x0010,
                0x0010,
                'PN',
                opts.characterSet === 'ISO_IR 192' ? Buffer.from(opts.patientName, 'utf8') : opts.patientName,
              ],
            ]
          : []),
        [0x0010, 0x0020, 'LO', opts.patientId ?? 'PSEUDO-0042'],
        [0x0010, 0x0030, 'DA', opts.birthDate ?? '19610101'],
        [0x0010, 0x0040, 'CS', 'F'],
        [0x0020, 0x000d, 'UI', opts.studyUid ?? '1.2.3.4.99'],
        [0x0020, 0x0062, 'CS', opts.laterality ?? 'L'],
        ...(opts.fieldOfViewDeg ? [[0x0022, 0x000c, 'FL', floatLE(opts.fieldOfViewDeg)]] : []),
        [0x0028, 0x0002, 'US', 3],
        [0x0028, 0x0004, 'CS', opts.jpeg ? 'YBR_FULL_422' : 'RGB'],
        [0x0028, 0x0006, 'US', 0],
        ...(opts.frames ? [[0x0028, 0x0008, 'IS', String(opts.frames)]] : []),
        [0x0028, 0x0010, 'US', img.height],
        [0x0028, 0x0011, 'US', img.width],
        ...(opts.pixelSpacing === '' ? [] : [[0x0028, 0x0030, 'DS', opts.pixelSpacing ?? '0.0125\\0.0130']]),
        [0x0028, 0x0100, 'US', 8],
        [0x0028, 0x0101, 'US', 8],
        [0x0028, 0x0102, 'US', 7],
        [0x0028, 0x0103, 'US', 0],
        ...(opts.jpeg
          ? []
          : [[0x7fe0, 0x0010, 'OB', Buffer.concat(Array.from({ length: opts.frames ?? 1 }, () => img.rgb))]]),
      ] as El[]
    ).map(dicomElement),
  );
  const fragments = opts.jpeg
    ? opts.frames
      ? Array.from({ length: opts.frames }, () => opts.jpeg!.bytes)
      : split(opts.jpeg.bytes, opts.jpeg.fragments)
    : [];
  const pixels = opts.jpeg ? encapsulated(fragments) : Buffer.alloc(0);
  const groupLength = dicomElement([0x0002, 0x0000, 'UL', meta.length]);
  writeFileSync(
    path,
    Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), groupLength, meta, body, pixels]),
  );
}

/** `bytes` in `n` nearly equal parts. */
function split(bytes: Uint8Array, n: number): Uint8Array[] {
  // Fragments of even length, as the standard has them (only the last one is padded).
  const size = 2 * Math.ceil(bytes.length / (2 * n));
  return Array.from({ length: n }, (_, i) =>
    bytes.subarray(i * size, Math.min(bytes.length, (i + 1) * size)),
  );
}
