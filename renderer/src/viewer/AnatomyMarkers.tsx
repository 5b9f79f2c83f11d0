// The optic disc (a circle of its diameter, with a centre dot the user drags to move it) and the fovea (a cross the
// user drags), drawn with the artery/vein layer. Dark under light strokes, so they read on any part of the photograph; white and
// cyan, apart from the artery/vein colours and the uncertainty map's yellow-to-red.
import type { RefObject } from 'react';
import { Circle, Group, Line } from 'react-konva';
import type Konva from 'konva';
import type { AnatomyPayload } from '../../../shared/contract.js';

/** Screen pixels around the disc's centre (or its rim, with the Disc tool, or the fovea's cross) that grab it. */
export const DISC_HANDLE_PX = 10;

export interface AnatomyMarkersProps {
  anatomy: AnatomyPayload;
  scale: number;
  /** The disc's group, moved directly while it is dragged. */
  discRef?: RefObject<Konva.Group | null>;
  /** The fovea's group, likewise. */
  foveaRef?: RefObject<Konva.Group | null>;
  /**
   * The current mask's markers beside another version's shown (a History preview, a kept draft): dashed and faded,
   * so that the two discs are told apart.
   */
  ghost?: boolean;
}

export function AnatomyMarkers({ anatomy, scale, discRef, foveaRef, ghost = false }: AnatomyMarkersProps) {
  const { disc, fovea } = anatomy;
  const px = (n: number) => n / scale;
  const arm = px(9);
  const dash = ghost ? [px(6), px(4)] : undefined;
  return (
    <Group opacity={ghost ? 0.7 : 1}>
      {disc && (
        <Group ref={discRef} x={disc.x} y={disc.y}>
          <Circle radius={disc.diameter / 2} stroke="#000" strokeWidth={px(3.5)} opacity={0.55} dash={dash} />
          <Circle radius={disc.diameter / 2} stroke="#fff" strokeWidth={px(1.5)} dash={dash} />
          {!ghost && <Circle radius={px(5)} fill="#fff" stroke="#000" strokeWidth={px(1.5)} />}
        </Group>
      )}
      {fovea && (
        <Group ref={foveaRef} x={fovea.x} y={fovea.y}>
          {[
            [-arm, 0, arm, 0],
            [0, -arm, 0, arm],
          ].map((points, k) => (
            <Group key={k}>
              <Line points={points} stroke="#000" strokeWidth={px(4)} opacity={0.55} dash={dash} />
              <Line points={points} stroke="#00e5ff" strokeWidth={px(2)} dash={dash} />
            </Group>
          ))}
        </Group>
      )}
    </Group>
  );
}
