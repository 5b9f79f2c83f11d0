// Opening a large photograph shows a screen-sized copy first (getImagePreview): decoding a 3504x2336 image takes
// several times longer than receiving its masks. How large a copy, from the screen the viewer is on.

/** Preview sizes are rounded up to this, so windows of about the same size share the server's cached copy. */
const STEP = 256;

/**
 * The longest side a preview of an `image` needs on a `screen` (CSS pixels, `dpr` device pixels each): enough
 * for the image fitted to the whole screen at full sharpness. Null when the image is not at least twice that:
 * decoding the image itself then costs little more than decoding a preview.
 */
export function previewSize(
  image: { width: number; height: number },
  screen: { width: number; height: number; dpr: number },
): number | null {
  const longest = Math.max(image.width, image.height);
  const fit = Math.min(
    (screen.width * screen.dpr) / image.width,
    (screen.height * screen.dpr) / image.height,
  );
  if (!(fit > 0)) return null;
  const need = Math.ceil((longest * fit) / STEP) * STEP;
  return longest >= 2 * need ? need : null;
}
