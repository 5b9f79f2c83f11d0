// Overlay colours as the uint32 words of an RGBA pixel buffer (see overlayView.ts, which paints them). Opacity is
// left to the layer that shows the overlay, so changing it never repaints pixels.

const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Packs a colour into the uint32 a Uint32Array view of RGBA bytes expects on this machine. */
export function packRgba(r: number, g: number, b: number, a = 255): number {
  return littleEndian
    ? ((a << 24) | (b << 16) | (g << 8) | r) >>> 0
    : ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;
}

/** Parses '#rrggbb' into a packed colour. */
export function hexToRgba(hex: string, alpha = 255): number {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new RangeError(`colour ${hex} is not #rrggbb`);
  return packRgba(parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16), alpha);
}
