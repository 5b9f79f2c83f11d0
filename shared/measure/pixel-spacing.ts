// Micrometres per pixel from a DICOM pixel spacing. The measures take one pixel size, so pixels that are not square
// (rows further apart than columns, or nearer) are taken at their mean size: a length along the rows or the columns
// is then off by up to half the difference, which the measures' notes say rather than leave unsaid.

/** Row and column spacing differing by less than this share are square for measuring. */
const SQUARE_WITHIN = 0.01;

export function pixelSizeFromSpacing(spacingMm: readonly [row: number, column: number]): {
  pixelSizeUm: number;
  note: string | null;
} {
  const [row, col] = spacingMm;
  const pixelSizeUm = ((row + col) / 2) * 1000;
  const differ = Math.abs(row - col) / Math.min(row, col);
  if (differ < SQUARE_WITHIN) return { pixelSizeUm, note: null };
  const figure = (v: number) => String(Number(v.toPrecision(4)));
  // The mean is off by half the difference, relative to the nearer of the two.
  const off = Math.max(1, Math.round(50 * differ));
  return {
    pixelSizeUm,
    note:
      `the pixels are not square (${figure(row)} mm between rows, ${figure(col)} mm between columns): lengths ` +
      `take their mean, ${figure(pixelSizeUm)} µm, and are off by up to ${off}% along a row or a column`,
  };
}
