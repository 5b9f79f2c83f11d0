// zlib deflate with the browser's own encoder (CompressionStream, native and off the page's script), for the
// compact mask saves of shared/mask-wire.ts. Node has it too, so tests run the renderer's client as it is.
import type { Deflate } from '../../../shared/mask-wire.js';

// Every array given is a fresh pack (never shared memory), as the DOM typing wants.
export const deflate: Deflate = async (bytes) => {
  const stream = new CompressionStream('deflate');
  const writer = stream.writable.getWriter();
  const written = Promise.all([writer.write(bytes as Uint8Array<ArrayBuffer>), writer.close()]);
  const [out] = await Promise.all([new Response(stream.readable).arrayBuffer(), written]);
  return new Uint8Array(out);
};
