// One worklist row: its checkbox (labelled with the file name, beside which an ungradable photograph says so),
// thumbnail, and the image's clinical, review and prediction quality columns.
import type { MouseEvent } from 'react';
import type { ImageSummary } from '../../../shared/contract.js';
import {
  formatExpectedF1,
  formatGaps,
  formatMeanUncertainty,
  noEstimateReason,
} from '../review/qualityLabel.js';
import { formatWhen } from '../review/reviewLabel.js';
import { beingEditedText } from '../../../shared/edit-lease.js';
import { StatusBadge } from './StatusBadge.js';
import { UngradableBadge } from './UngradableBadge.js';
import { Thumbnail } from './Thumbnail.js';
import { worklistTeamNote } from '../team/handoffWords.js';

const NONE = '–';

export function ImageRow(props: {
  image: ImageSummary;
  index: number;
  isCursor: boolean;
  selected: boolean;
  onSelect: (on: boolean) => void;
  onClick: () => void;
  onOpen: () => void;
  onContextMenu?: (e: MouseEvent) => void;
}) {
  const im = props.image;
  const team = worklistTeamNote(im);
  const noEstimate = noEstimateReason(im) ?? undefined;
  return (
    <div
      role="row"
      aria-current={props.isCursor ? 'true' : undefined}
      data-row={props.index}
      data-testid="image-row"
      data-image-id={im.id}
      className={`trow ${props.isCursor ? 'cursor' : ''}`}
      onClick={props.onClick}
      onDoubleClick={props.onOpen}
      onContextMenu={props.onContextMenu}
    >
      <span role="cell">
        <input
          type="checkbox"
          aria-label={`Select ${im.fileName}`}
          checked={props.selected}
          onChange={(e) => props.onSelect(e.target.checked)}
          onClick={(e) => e.stopPropagation()}
        />
      </span>
      <span role="cell">
        <Thumbnail imageId={im.id} version={im.updatedAt} />
      </span>
      <span role="cell" className="name">
        {im.fileName}
        <UngradableBadge reason={im.ungradable} />
        {team && (
          <small className="team-note" data-testid="team-note">
            {team}
          </small>
        )}
        {im.editedBy && (
          <span className="edit-marker" data-testid="edit-marker" title="Another window edits this image">
            {' '}
            ✎ {beingEditedText(im.editedBy.holder, im.editedBy.since)}
          </span>
        )}
      </span>
      <span role="cell" data-testid="image-patient">
        {im.patientPseudonym ?? NONE}
      </span>
      <span role="cell" className="muted" data-testid="image-visit-date">
        {im.visitDate ?? NONE}
      </span>
      <span role="cell">
        {im.width}×{im.height}
      </span>
      <span role="cell" data-testid="image-eye">
        {im.laterality ?? NONE}
      </span>
      <span role="cell">
        <StatusBadge image={im} />
      </span>
      <span
        role="cell"
        className={noEstimate ? 'num muted' : 'num'}
        data-testid="row-expected-f1"
        data-value={im.quality?.expectedF1 ?? ''}
        title={noEstimate}
        aria-label={noEstimate}
      >
        {formatExpectedF1(im.quality)}
      </span>
      <span role="cell" className="num" data-testid="mean-uncertainty" title={noEstimate}>
        {formatMeanUncertainty(im.quality)}
      </span>
      <span role="cell" className="num" data-testid="gap-count" title={noEstimate}>
        {formatGaps(im.quality)}
      </span>
      <span role="cell" className="muted" data-testid="image-updated">
        {formatWhen(im.updatedAt)}
      </span>
    </div>
  );
}
