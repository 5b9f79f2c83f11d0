// A labelled photograph placed in the vessel model's canonical frame exactly as prediction places it: the vessel
// model segments it (with the dataset's field of view where there is one) and its frame is taken as is.
import type { BinaryMap, RasterImage } from '../types.js';
import type { LoadedModel } from '../model/model-loader.js';
import { readBinaryMap, readPhotograph, toRgb8 } from '../io/image-io.js';
import { deriveFov } from '../image/fov.js';
import { segmentImage, type Segmentation } from '../infer.js';
import { imageToCanonical, mapToCanonical, type Frame } from '../frame/canonical-frame.js';
import type { AnatomyRef } from './anatomy-datasets.js';

export interface FramedPhotograph {
  image: RasterImage;
  fov: BinaryMap;
  seg: Segmentation;
  frame: Frame;
  canonical: RasterImage;
  canonicalFov: BinaryMap;
}

export async function framePhotograph(ref: AnatomyRef, vessel: LoadedModel): Promise<FramedPhotograph> {
  const image = toRgb8(await readPhotograph(ref.imagePath));
  const size = { width: image.width, height: image.height };
  const fov = ref.fovPath ? await readBinaryMap(ref.fovPath, size) : deriveFov(image);
  const seg = await segmentImage(image, vessel.manifest, vessel.predictor, { fov });
  if (!seg.frame) throw new Error('anatomy models need a vessel model with a canonical frame');
  return {
    image,
    fov,
    seg,
    frame: seg.frame,
    canonical: imageToCanonical(image, seg.frame),
    canonicalFov: mapToCanonical(fov, seg.frame),
  };
}
