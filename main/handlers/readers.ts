// Two-reader mode for the reviewer: each reader's own latest draft of an image, and how well readers agree (Dice)
// per image and per annotator, from the masks as stored.
import type { AgreementPayload, ReadersPayload } from '../../shared/contract.js';
import { agreementByAnnotator, meanPairwiseDice, type ImageAgreement } from '../../shared/agreement.js';
import {
  formerReaderDrafts,
  getImage,
  isMultiReader,
  multiReaderImageIds,
  readerDrafts,
  type Store,
} from '../store/index.js';
import type { CallerContext } from './caller.js';
import { rowId, toId } from './ids.js';
import type { MaskPixels } from './maskPixels.js';
import { versionPayload } from './masks.js';

/**
 * The annotator asking about a two-reader image, who reads it blind (their own drafts, kept drafts and measures
 * only); null for anyone else, and for an image with one reader.
 */
export function blindReaderOf(store: Store, imageId: number, ctx: CallerContext): string | null {
  return ctx.user?.role === 'annotator' && isMultiReader(store, imageId) ? ctx.user.name : null;
}

export async function getReaders(
  store: Store,
  imageIdArg: string,
  pixels: MaskPixels,
): Promise<ReadersPayload> {
  const image = getImage(store, rowId(imageIdArg, 'image'));
  // A reader taken off the image is listed still: their draft may be the one the viewer shows.
  const listed = [
    ...readerDrafts(store, image.id).map((r) => ({ ...r, removed: false })),
    ...formerReaderDrafts(store, image.id).map((r) => ({ ...r, removed: true })),
  ].sort((a, b) => a.reader.localeCompare(b.reader));
  const readers = await Promise.all(
    listed.map(async ({ reader, draft, removed }) => ({
      name: reader,
      // With its artery/vein labels: adjudication approves a reader's draft as it is, labels and disc included.
      draft: draft ? await versionPayload(store, pixels, draft, true) : null,
      ...(removed ? { removed: true as const } : {}),
    })),
  );
  const masks = readers.flatMap((r) => (r.draft ? [r.draft.data] : []));
  return {
    imageId: toId(image.id),
    width: image.width,
    height: image.height,
    readers,
    dice: meanPairwiseDice(masks),
  };
}

export async function getAgreement(store: Store, pixels: MaskPixels): Promise<AgreementPayload> {
  const images: AgreementPayload['images'] = [];
  for (const imageId of multiReaderImageIds(store)) {
    // A reader taken off the image after reading it is compared still, and named as such (as the Readers panel does).
    const former = formerReaderDrafts(store, imageId);
    const drafts = [
      ...readerDrafts(store, imageId).flatMap((r) => (r.draft ? [{ ...r, draft: r.draft }] : [])),
      ...former,
    ].sort((a, b) => a.reader.localeCompare(b.reader));
    const masks = await Promise.all(drafts.map((r) => pixels.mask(r.draft)));
    const row: ImageAgreement = {
      imageId: toId(imageId),
      readers: drafts.map((r) => r.reader),
      dice: meanPairwiseDice(masks),
    };
    const formerReaders = former.map((r) => r.reader);
    images.push({
      ...row,
      fileName: getImage(store, imageId).fileName,
      ...(formerReaders.length > 0 ? { formerReaders } : {}),
    });
  }
  // The disagreements a reviewer adjudicates first: lowest Dice first, images not yet read by two readers last.
  images.sort((a, b) => (a.dice ?? Infinity) - (b.dice ?? Infinity) || Number(a.imageId) - Number(b.imageId));
  return { images, annotators: agreementByAnnotator(images) };
}
