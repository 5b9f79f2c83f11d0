// What a screen reader says when the worklist's highlighted row moves: the row's image, where it is in the list,
// and the columns a reader decides on (the rows are drawn as a grid of spans, so nothing else reads them out).
import type { ImageSummary } from '../../../shared/contract.js';
import { formatExpectedF1 } from '../review/qualityLabel.js';

export type AnnouncedImage = Pick<
  ImageSummary,
  'fileName' | 'patientPseudonym' | 'laterality' | 'status' | 'reopened' | 'quality'
>;

export function rowAnnouncement(image: AnnouncedImage, index: number, total: number): string {
  const parts = [`${image.fileName}, ${index + 1} of ${total}`];
  if (image.patientPseudonym) parts.push(`patient ${image.patientPseudonym}`);
  if (image.laterality) parts.push(image.laterality === 'OS' ? 'left eye (OS)' : 'right eye (OD)');
  parts.push(image.reopened ? `${image.status}, edited after approval` : image.status);
  if (image.quality) parts.push(`expected F1 ${formatExpectedF1(image.quality)}`);
  return parts.join(', ');
}
