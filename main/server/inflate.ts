// zlib inflate for shared/mask-wire.ts: Node's, which checks the stream's checksum and stops at `maxLength`, so a
// corrupt or inflated-beyond-reason payload is refused without allocating what it claims.
import { inflateSync } from 'node:zlib';
import type { Inflate } from '../../shared/mask-wire.js';

export const inflate: Inflate = (bytes, maxLength) => {
  try {
    // maxOutputLength must be at least 1; an empty payload inflates to 0 bytes either way.
    return inflateSync(bytes, { maxOutputLength: Math.max(1, maxLength) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new Error(`it inflates to more than ${maxLength} bytes`, { cause: err });
    throw err;
  }
};
