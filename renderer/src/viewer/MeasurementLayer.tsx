// Zones B and C as two annuli around the disc, and the vessels CRAE and CRVE took, named where they cross zone B,
// one Konva layer over the mask. Vector shapes, drawn by Konva at screen resolution at any zoom: nothing the size
// of the image is painted. The layer's canvas carries data attributes saying what it drew, for tests.
import { useEffect, useMemo, useRef } from 'react';
import { Circle, Group, Layer, Ring, Text } from 'react-konva';
import type Konva from 'konva';
import type { MeasurementsPayload } from '../../../shared/contract.js';
import { namedVessels, zoneRings, type ZoneRing } from '../measure/measureView.js';
import { placeLabels, type LabelBox } from '../../../shared/measure/label-placement.js';

const ZONE_STYLE = { B: { fill: '#00e5ff', opacity: 0.16 }, C: { fill: '#ffffff', opacity: 0.07 } } as const;
const VESSEL_COLOUR = { artery: '#ff2e6e', vein: '#2e9bff' } as const;
const HIGHLIGHT = '#ffe14d';

/** A zone's letter, inside the top of its ring, in screen pixels. */
const LETTER = { dx: 3, dy: 2, size: 13 } as const;

/** Where a zone's letter is written, in image pixels, as a box the vessel names keep clear of. */
function zoneLetterBox(r: ZoneRing, scale: number): LabelBox {
  const size = LETTER.size / scale;
  const top = r.y - r.outer + LETTER.dy / scale;
  return { x: r.x + LETTER.dx / scale, y: top + size, width: size, height: size };
}

export interface MeasurementLayerProps {
  payload: MeasurementsPayload;
  scale: number;
  hovered: string | null;
  /** The photograph's width in image pixels: labels shrink when it is shown narrower than LABELS_FULL_SIZE_AT. */
  imageWidth: number;
}

/** Shown at least this wide, the labels have their full size; narrower (a small window, 200% zoom), they shrink. */
const LABELS_FULL_SIZE_AT = 500;

export function MeasurementLayer({ payload, scale: viewScale, hovered, imageWidth }: MeasurementLayerProps) {
  // Label sizes are fixed on screen, so on an image shown 93 px wide they covered it and each other: below the
  // width above they shrink with the image (to half their size at most).
  const shrink = Math.max(0.5, Math.min(1, (imageWidth * viewScale) / LABELS_FULL_SIZE_AT));
  const scale = viewScale / shrink;
  const layer = useRef<Konva.Layer>(null);
  const rings = useMemo(() => zoneRings(payload), [payload]);
  const vessels = useMemo(() => namedVessels(payload), [payload]);
  // Names outward from the disc and clear of each other and of the zones' letters, at this zoom (their size is
  // fixed on screen).
  const labels = useMemo(() => {
    const disc = payload.measures.disc;
    return placeLabels(
      vessels.map((v) => ({ x: v.x + 0.5, y: v.y + 0.5, text: v.name })),
      disc ? { x: disc.x + 0.5, y: disc.y + 0.5 } : null,
      12 / scale,
      9 / scale,
      rings.map((r) => zoneLetterBox(r, scale)),
    );
  }, [vessels, rings, payload, scale]);

  useEffect(() => {
    const l = layer.current;
    if (!l) return;
    const el = l.getNativeCanvasElement();
    el.dataset.testid = 'measurement-layer';
    el.dataset.version = payload.versionId;
    el.dataset.zones = rings.map((r) => `${r.zone}:${r.inner.toFixed(1)}-${r.outer.toFixed(1)}`).join(' ');
    el.dataset.vessels = vessels.map((v) => v.name).join(' ');
    el.dataset.highlight = hovered ?? '';
    // The vessel names' size on screen, in CSS pixels (the tests read it).
    el.dataset.labelSize = String((12 / scale) * viewScale);
    // Set once the layer has really drawn this state.
    const drawn = () => (el.dataset.drawn = `${payload.versionId}:${hovered ?? ''}`);
    l.on('draw.measurements', drawn);
    l.batchDraw();
    return () => {
      l.off('draw.measurements');
    };
  }, [payload, rings, vessels, hovered, scale, viewScale]);

  const px = (n: number) => n / scale;
  return (
    <Layer ref={layer} listening={false}>
      {rings.map((r) => (
        <Group key={r.zone} x={r.x} y={r.y}>
          <Ring
            innerRadius={r.inner}
            outerRadius={r.outer}
            fill={ZONE_STYLE[r.zone].fill}
            opacity={ZONE_STYLE[r.zone].opacity}
          />
          <Circle radius={r.outer} stroke="#000" strokeWidth={px(2.5)} opacity={0.5} />
          <Circle
            radius={r.outer}
            stroke={ZONE_STYLE[r.zone].fill}
            strokeWidth={px(1)}
            dash={[px(6), px(4)]}
          />
          <Text
            text={r.zone}
            x={px(LETTER.dx)}
            y={-r.outer + px(LETTER.dy)}
            fontSize={px(LETTER.size)}
            fontStyle="bold"
            fill="#fff"
            stroke="#000"
            strokeWidth={px(0.6)}
          />
        </Group>
      ))}
      {vessels.map((v, i) => {
        const on = v.name === hovered;
        const label = labels[i];
        return (
          <Group key={v.name} x={v.x + 0.5} y={v.y + 0.5}>
            <Circle radius={px(on ? 11 : 7)} stroke="#000" strokeWidth={px(3.5)} opacity={0.6} />
            <Circle
              radius={px(on ? 11 : 7)}
              stroke={on ? HIGHLIGHT : VESSEL_COLOUR[v.kind]}
              strokeWidth={px(on ? 2.5 : 1.8)}
            />
            <Text
              text={v.name}
              x={label.x - (v.x + 0.5)}
              y={label.y - (v.y + 0.5) - px(11)}
              fontSize={px(on ? 15 : 12)}
              fontStyle="bold"
              fill={on ? HIGHLIGHT : '#fff'}
              stroke="#000"
              strokeWidth={px(0.6)}
            />
          </Group>
        );
      })}
    </Layer>
  );
}
