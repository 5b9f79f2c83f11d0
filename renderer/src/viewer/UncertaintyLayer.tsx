// The uncertainty heat map and the likely-gap markers, one Konva layer over the mask overlay. The heat pixels are
// painted once per map (pure functions in ../editing/uncertaintyHeat); the markers keep their size on screen at
// any zoom, and go once the annotator closed the gap. The layer's canvas carries data attributes saying what it drew, for tests and diagnostics.
import { useEffect, useMemo, useRef } from 'react';
import { Circle, Image as KImage, Layer, Line } from 'react-konva';
import type Konva from 'konva';
import type { UncertaintyPayload } from '../../../shared/contract.js';
import { heatPalette, heatStep, paintHeat } from '../editing/uncertaintyHeat.js';
import { openGaps } from '../editing/closedGaps.js';
import type { MaskDocument } from './maskDocument.js';

const GAP_COLOUR = '#00e5ff';
let palette: Uint32Array | null = null;

function heatCanvas(p: UncertaintyPayload): { canvas: HTMLCanvasElement; painted: number } {
  palette ??= heatPalette();
  const heat = paintHeat(p.data, p.width, p.height, heatStep(p.width, p.height), palette);
  const canvas = document.createElement('canvas');
  canvas.width = heat.width;
  canvas.height = heat.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('cannot create a 2D canvas for the uncertainty heat map');
  const image = ctx.createImageData(heat.width, heat.height);
  new Uint32Array(image.data.buffer).set(heat.pixels);
  ctx.putImageData(image, 0, 0);
  return { canvas, painted: heat.painted };
}

export interface UncertaintyLayerProps {
  payload: UncertaintyPayload;
  scale: number;
  /** The working mask: gaps it closed lose their markers. */
  doc: MaskDocument;
  /** Changes with every edit of the document. */
  edits: number;
}

export function UncertaintyLayer({ payload, scale, doc, edits }: UncertaintyLayerProps) {
  const layer = useRef<Konva.Layer>(null);
  const heat = useMemo(() => heatCanvas(payload), [payload]);
  const gaps = useMemo(
    () =>
      doc.width === payload.width && doc.height === payload.height
        ? openGaps(payload.gaps, doc.mask, doc.predMask, doc.width, doc.height)
        : payload.gaps,
    // `edits` stands for the working mask, which the document changes in place.
    [payload, doc, edits],
  );

  useEffect(() => {
    const l = layer.current;
    if (!l) return;
    const el = l.getNativeCanvasElement();
    el.dataset.testid = 'uncertainty-layer';
    el.dataset.version = payload.versionId;
    el.dataset.painted = String(heat.painted);
    el.dataset.gaps = String(gaps.length);
    // Set once the layer has really drawn this map.
    const drawn = () => (el.dataset.drawn = payload.versionId);
    l.on('draw.uncertainty', drawn);
    l.batchDraw();
    return () => {
      l.off('draw.uncertainty');
    };
  }, [payload, heat, gaps]);

  const ring = 6 / scale;
  const stroke = 1.5 / scale;
  // Pixel (i, j) spans [i, i + 1): markers go through pixel centres.
  const lines = useMemo(
    () => gaps.map((g) => [g.from.x + 0.5, g.from.y + 0.5, g.to.x + 0.5, g.to.y + 0.5]),
    [gaps],
  );
  return (
    <Layer ref={layer} listening={false} imageSmoothingEnabled={heat.canvas.width < payload.width}>
      <KImage image={heat.canvas} x={0} y={0} width={payload.width} height={payload.height} />
      {gaps.map((g, i) => (
        <Line key={`l${i}`} points={lines[i]} stroke={GAP_COLOUR} strokeWidth={stroke} />
      ))}
      {gaps.map((g, i) => (
        <Circle
          key={`c${i}`}
          x={(g.from.x + g.to.x) / 2 + 0.5}
          y={(g.from.y + g.to.y) / 2 + 0.5}
          radius={ring + Math.hypot(g.to.x - g.from.x, g.to.y - g.from.y) / 2}
          stroke={GAP_COLOUR}
          strokeWidth={stroke}
        />
      ))}
    </Layer>
  );
}
