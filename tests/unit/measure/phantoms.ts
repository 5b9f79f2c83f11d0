// Synthetic vessel images of known geometry for the measurement tests: tubes of a given width along a curve
// (every pixel whose centre lies within width/2 of the curve is vessel), rings of radial vessels around a disc,
// and a Vicsek tree of known fractal dimension.

export interface Phantom {
  width: number;
  height: number;
  mask: Uint8Array;
}

export function blank(width: number, height: number): Phantom {
  return { width, height, mask: new Uint8Array(width * height) };
}

/** Paints a tube of `diameter` along the curve c(t), t in [0, 1], sampled finely enough to be continuous. */
export function paintTube(
  ph: Phantom,
  curve: (t: number) => { x: number; y: number },
  diameter: number,
  samples = 4000,
  value = 1,
): void {
  const r = diameter / 2;
  for (let k = 0; k <= samples; k++) {
    const c = curve(k / samples);
    for (let y = Math.floor(c.y - r) - 1; y <= Math.ceil(c.y + r) + 1; y++) {
      for (let x = Math.floor(c.x - r) - 1; x <= Math.ceil(c.x + r) + 1; x++) {
        if (x < 0 || y < 0 || x >= ph.width || y >= ph.height) continue;
        if ((x - c.x) ** 2 + (y - c.y) ** 2 < r * r) ph.mask[y * ph.width + x] = value;
      }
    }
  }
}

/** Arc length over chord of a curve, by fine sampling. */
export function curveDistanceFactor(curve: (t: number) => { x: number; y: number }, samples = 20000): number {
  let len = 0;
  let prev = curve(0);
  for (let k = 1; k <= samples; k++) {
    const c = curve(k / samples);
    len += Math.hypot(c.x - prev.x, c.y - prev.y);
    prev = c;
  }
  const a = curve(0);
  const b = curve(1);
  return len / Math.hypot(b.x - a.x, b.y - a.y);
}

/** The Vicsek fractal at `level` (3^level pixels a side), a tree of dimension log 5 / log 3. */
export function vicsek(level: number, pad: number): Phantom {
  const n = 3 ** level;
  const ph = blank(n + 2 * pad, n + 2 * pad);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      let a = x;
      let b = y;
      let inside = true;
      while (inside && (a > 0 || b > 0)) {
        inside = a % 3 === 1 || b % 3 === 1;
        a = Math.floor(a / 3);
        b = Math.floor(b / 3);
      }
      if (inside) ph.mask[(y + pad) * ph.width + x + pad] = 1;
    }
  }
  return ph;
}

/**
 * Radial vessels around a disc: six arteries and six veins of known widths (in pixels at scale 1), labelled in an
 * A/V map (1 artery, 2 vein). `scale` enlarges the whole picture, `rotation` (radians) turns it about the disc.
 */
export function ring(arteries: number[], veins: number[], scale = 1, rotation = 0) {
  const size = Math.round(640 * scale);
  const ph = blank(size, size);
  const av = new Uint8Array(size * size);
  const disc = { x: 320.25 * scale, y: 320.25 * scale, diameter: 100 * scale };
  const all = [...arteries.map((w) => ({ w, cls: 1 })), ...veins.map((w) => ({ w, cls: 2 }))];
  all.forEach(({ w, cls }, k) => {
    const a = (2 * Math.PI * k) / all.length + 0.1 + rotation;
    const c = (t: number) => ({
      x: disc.x + Math.cos(a) * (60 + t * 240) * scale,
      y: disc.y + Math.sin(a) * (60 + t * 240) * scale,
    });
    const tube = blank(size, size);
    paintTube(tube, c, w * scale);
    for (let i = 0; i < tube.mask.length; i++)
      if (tube.mask[i]) {
        ph.mask[i] = 1;
        av[i] = cls;
      }
  });
  return { ph, av, disc };
}
