// The maps a person hands `retina measure` in place of the prediction's: a corrected vessel mask (--mask) and an
// artery/vein map (--av). Each is checked to be what it claims before anything is measured on it: the photograph
// itself, a probability map or an inverted mask given by mistake would otherwise be measured into confident nonsense.
import type { RasterImage } from '../ml/types.js';
import { ImageReadError, readImage, toBinaryMap } from '../ml/io/image-io.js';
import { AV_LABEL, decodeAvLabels, offPaletteShare } from '../ml/anatomy/av-labels.js';
import { AV_CLASS } from '../../shared/vessel-segments.js';

/** A mask's pixels are black or white; a little more than this share of anything else and it is no mask. */
const MAX_GREY_SHARE = 0.02;
/** Vessels cover 5-20% of a fundus photograph: a mask more than half white has them black (inverted). */
const MAX_VESSEL_SHARE = 0.5;
/** An artery/vein map's pixels are its palette's colours (JPEG noise aside). */
const MAX_OFF_PALETTE_SHARE = 0.02;

function sameSize(path: string, map: RasterImage, image: RasterImage): void {
  if (map.width !== image.width || map.height !== image.height)
    throw new ImageReadError(
      path,
      `size ${map.width}x${map.height} does not match the expected ${image.width}x${image.height}`,
    );
}

/** The share of pixels that are neither black nor white (the first channel, any bit depth). */
function greyShare(img: RasterImage): number {
  const max = img.bitDepth === 16 ? 65535 : 255;
  const near = max / 8;
  const n = img.width * img.height;
  const c = img.channels;
  let grey = 0;
  for (let i = 0; i < n; i++) {
    const v = img.data[i * c];
    if (v > near && v < max - near) grey++;
    else if (c >= 3 && (img.data[i * c + 1] !== v || img.data[i * c + 2] !== v)) grey++;
  }
  return n === 0 ? 0 : grey / n;
}

/** A corrected vessel mask (white vessels on black, the image's size) as 0/1. */
export async function readGivenMask(path: string, image: RasterImage): Promise<Uint8Array> {
  const img = await readImage(path);
  sameSize(path, img, image);
  const grey = greyShare(img);
  if (grey > MAX_GREY_SHARE)
    throw new Error(
      `${path} is not a vessel mask: ${Math.round(grey * 100)}% of its pixels are neither black nor white ` +
        '(a mask is white vessels on black, such as segment writes as <stem>_mask.png)',
    );
  const mask = toBinaryMap(img).data;
  let vessel = 0;
  for (const v of mask) vessel += v;
  if (vessel > MAX_VESSEL_SHARE * mask.length)
    throw new Error(
      `${path} is ${Math.round((vessel / mask.length) * 100)}% white: its vessels look black, the mask inverted ` +
        '(a mask is white vessels on black)',
    );
  return mask;
}

/** AV_CLASS labels from an artery/vein image; crossings and uncertain pixels take no class. */
function avClasses(labels: Uint8Array): Uint8Array {
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === AV_LABEL.artery) out[i] = AV_CLASS.artery;
    else if (labels[i] === AV_LABEL.vein) out[i] = AV_CLASS.vein;
  }
  return out;
}

/** An artery/vein map of the image (red artery, blue vein) as AV_CLASS labels of the vessel mask's pixels. */
export async function readGivenAv(
  path: string,
  image: RasterImage,
  mask: ArrayLike<number>,
): Promise<Uint8Array> {
  const img = await readImage(path);
  sameSize(path, img, image);
  const off = offPaletteShare(img);
  const notAMap =
    'not an artery/vein map of this image (red 255,0,0 artery, blue 0,0,255 vein, black background; green ' +
    'crossing and white uncertain count as neither)';
  if (off > MAX_OFF_PALETTE_SHARE)
    throw new Error(
      `${path} is ${notAMap}: ${Math.round(off * 100)}% of its pixels are none of those colours`,
    );
  const av = avClasses(decodeAvLabels(img));
  let labelled = false;
  for (let i = 0; i < av.length && !labelled; i++) labelled = !!mask[i] && av[i] !== 0;
  if (!labelled) throw new Error(`${path} labels no vessel pixel artery or vein: ${notAMap}`);
  return av;
}
