// The drawing surface: a react-konva Stage showing the photograph and the mask overlay (painted at display
// resolution, see overlayCanvas.ts), plus pointer handling for zoom, pan and the editing tools. Pixels change only
// through the MaskDocument; Konva only draws.
import {
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type MutableRefObject,
  type ReactNode,
} from 'react';
import { Circle, Group, Image as KImage, Layer, Line, Rect as KRect, Stage } from 'react-konva';
import Konva from 'konva';
import type { MaskDocument } from './maskDocument.js';
import { AnatomyMarkers, DISC_HANDLE_PX } from './AnatomyMarkers.js';
import { AV_VALUES, type AnatomyPayload } from '../../../shared/contract.js';
import { OverlayCanvas } from './overlayCanvas.js';
import { toImage, wheelFactor, zoomAround, type View } from '../editing/viewport.js';
import type { Point } from '../editing/rect.js';
import { defaultDiscDiameter, discGrab, discThrough } from '../editing/discEdit.js';
import { overlayDrawn, strokeInput } from '../perf.js';
import { PointerArbiter, type PointerEnd } from '../editing/pointerArbiter.js';
import { useDevicePixelRatio } from './useDevicePixelRatio.js';
import type { CursorPixel } from './StatusBar.js';

export type Tool =
  'brush' | 'eraser' | 'fill' | 'lasso' | 'pan' | 'artery' | 'vein' | 'flip' | 'flipVessel' | 'disc';

/** Screen pixels a Disc tool press may wander and still count as a click (placing, not sizing). */
const DRAG_SLOP_PX = 4;

/** Tools that edit artery/vein labels: they need an image with labels. */
export const AV_TOOLS: ReadonlySet<Tool> = new Set<Tool>(['artery', 'vein', 'flip', 'flipVessel']);

export interface MaskCanvasProps {
  doc: MaskDocument;
  /** The photograph as shown (display filters already applied). */
  image: CanvasImageSource;
  /** `image` is still the screen-sized copy standing in while the photograph itself arrives. */
  imageIsPreview?: boolean;
  view: View;
  onView: (v: View) => void;
  onSize: (w: number, h: number) => void;
  tool: Tool;
  radius: number;
  maskVisible: boolean;
  opacity: number;
  spaceHeld: boolean;
  onCursor: (p: CursorPixel | null) => void;
  /** A Fill tool click at an image pixel (the viewer puts it through the fill guard). */
  onFill: (at: Point, value: 0 | 1) => void;
  /** More layers drawn over the mask overlay, under the cursor (the uncertainty heat map). */
  layers?: ReactNode;
  /** The artery/vein layer is shown: disc and fovea markers drawn, the disc's centre draggable. */
  avShown: boolean;
  /** Another version is shown (read-only): the current mask's disc and fovea, drawn apart from its own. */
  currentAnatomy?: AnatomyPayload | null;
  /** Set by the canvas: cancels a lasso or disc drawn, or a marker dragged; true when one was (Escape's first job). */
  cancelGesture?: MutableRefObject<() => boolean>;
}

type Gesture =
  | { kind: 'none' }
  | { kind: 'pan'; start: Point; view: View }
  | { kind: 'stroke'; last: Point; value: 0 | 1 }
  | { kind: 'label'; last: Point; label: typeof AV_VALUES.artery | typeof AV_VALUES.vein }
  /** The disc's centre dot or the fovea's cross dragged (drawn as dragged; the document changes on release). */
  | { kind: 'marker'; which: 'disc' | 'fovea'; grab: Point; from: Point; at: Point }
  /** The Disc tool: centred where the press was (or on the grabbed disc), sized by the drag; `start` on screen. */
  | { kind: 'discShape'; centre: Point; diameter: number; start: Point; resize: boolean }
  | { kind: 'lasso'; points: Point[]; value: 0 | 1 }
  | { kind: 'pinch' };

const markerAt = (p: { x: number; y: number } | null | undefined) => (p ? `${p.x},${p.y}` : undefined);

export function MaskCanvas(props: MaskCanvasProps) {
  const { doc, view, onView, tool, radius } = props;
  const box = useRef<HTMLDivElement>(null);
  const overlayLayer = useRef<Konva.Layer>(null);
  const imageLayer = useRef<Konva.Layer>(null);
  const stage = useRef<Konva.Stage>(null);
  const cursor = useRef<Konva.Group>(null);
  const lassoLine = useRef<Konva.Line>(null);
  const uiLayer = useRef<Konva.Layer>(null);
  const discMarker = useRef<Konva.Group>(null);
  const foveaMarker = useRef<Konva.Group>(null);
  const discDraft = useRef<Konva.Group>(null);
  const gesture = useRef<Gesture>({ kind: 'none' });
  /** Where each pointer of a pinch is (screen). */
  const pointers = useRef(new Map<number, Point>());
  const arbiter = useRef(new PointerArbiter()).current;
  const pinchRef = useRef<{ dist: number; mid: Point } | null>(null);
  const viewRef = useRef(view);
  viewRef.current = view;
  // Null until measured: the Stage is created at its real size rather than created and then resized.
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  const [overlay] = useState(() => new OverlayCanvas());
  useEffect(() => () => overlay.release(), [overlay]);

  // Measured before the first paint too, so the first frame already shows the fitted image.
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const measure = () => {
      origin.current = null;
      const w = Math.max(1, Math.floor(el.clientWidth));
      const h = Math.max(1, Math.floor(el.clientHeight));
      setSize((s) => (s && s.w === w && s.h === h ? s : { w, h }));
      props.onSize(w, h);
    };
    measure();
    origin.current = null;
    // props.onSize is read at resize time; the Viewer's setter never changes.
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Konva sizes its canvases' backing stores by the pixel ratio it read when it loaded: after browser zoom or a
  // move to a denser screen they stayed at the old ratio, and the photograph and mask were shown blurred. Layers
  // made from now on (measurements, uncertainty) take the global; those already made are resized and redrawn.
  const pixelRatio = useDevicePixelRatio();
  useLayoutEffect(() => {
    Konva.pixelRatio = pixelRatio;
    for (const layer of stage.current?.getLayers() ?? []) {
      if (layer.getCanvas().getPixelRatio() === pixelRatio) continue;
      layer.getCanvas().setPixelRatio(pixelRatio);
      layer.batchDraw();
    }
  }, [pixelRatio, size]);

  // The overlay follows the view, the document's edits and the layer's draws (it paints just before the layer
  // draws, once per frame). Set up before the first frame.
  useLayoutEffect(() => {
    const layer = overlayLayer.current;
    if (!size || !layer) return;
    layer.on('beforeDraw.overlay', () => overlay.flush());
    layer.on('draw.perf', overlayDrawn);
    doc.onRepaint = (rect) => {
      overlay.update(rect);
      layer.batchDraw();
    };
    return () => {
      layer.off('beforeDraw.overlay');
      layer.off('draw.perf');
      doc.onRepaint = () => {};
    };
  }, [doc, overlay, size]);

  useLayoutEffect(() => {
    const layer = overlayLayer.current;
    if (!size || !layer) return;
    overlay.show(doc, view, layer.getNativeCanvasElement(), layer.getCanvas().getPixelRatio());
    layer.batchDraw();
  }, [doc, overlay, view, size, pixelRatio]);

  // On the canvas element: the overlay's pixels are put, not drawn, so the context's alpha would not apply.
  useLayoutEffect(() => {
    const canvas = overlayLayer.current?.getNativeCanvasElement();
    if (canvas) canvas.style.opacity = String(props.opacity);
  }, [props.opacity, size]);

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = el.getBoundingClientRect();
      onView(
        zoomAround(
          viewRef.current,
          { x: e.clientX - r.left, y: e.clientY - r.top },
          wheelFactor(e.deltaY, e.deltaMode),
        ),
      );
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [onView]);

  // The box's position, read once per gesture and on resize rather than per pointer sample: reading it after
  // the status bar changed would force a layout on every move.
  const origin = useRef<{ left: number; top: number } | null>(null);
  const local = (e: { clientX: number; clientY: number }): Point => {
    origin.current ??= (box.current as HTMLDivElement).getBoundingClientRect();
    return { x: e.clientX - origin.current.left, y: e.clientY - origin.current.top };
  };

  const moveCursor = (screen: Point) => {
    const p = toImage(viewRef.current, screen);
    const c = cursor.current;
    if (c) {
      c.position(p);
      c.visible(tool === 'brush' || tool === 'eraser' || tool === 'artery' || tool === 'vein');
      uiLayer.current?.batchDraw();
    }
    hoverAt.current = screen;
    readOut();
  };
  /** Where the pointer hovers (screen), null once it left: the readout is read again there when it can change. */
  const hoverAt = useRef<Point | null>(null);
  const readOut = () => {
    if (!hoverAt.current) return;
    const p = toImage(viewRef.current, hoverAt.current);
    const i = Math.floor(p.x);
    const j = Math.floor(p.y);
    const inside = i >= 0 && j >= 0 && i < doc.width && j < doc.height;
    if (!inside) return props.onCursor(null);
    const label = props.avShown ? doc.labels?.[j * doc.width + i] : undefined;
    props.onCursor({ x: i, y: j, value: doc.valueAt(i, j), label });
  };
  // V shows or hides the artery/vein layer with the pointer still: the readout said 'vessel' (or 'artery') until
  // the pointer moved. Another version shown changes what is under it too.
  useEffect(readOut, [props.avShown, doc]);

  const onPointerDown = (e: React.PointerEvent) => {
    box.current?.focus();
    origin.current = null;
    const screen = local(e);
    const press = arbiter.press(e.pointerId, e.pointerType);
    if (press === 'ignore') return;
    pointers.current.set(e.pointerId, screen);
    (e.target as Element).setPointerCapture?.(e.pointerId);
    // A second finger turns any gesture into a pinch, which is about the view; a pen landing takes over from a
    // finger (a palm). Either way what was begun (a stroke, a lasso, a disc, a marker dragged) is dropped whole.
    if (press !== 'start') abandonGesture();
    if (press === 'pinch') {
      gesture.current = { kind: 'pinch' };
      pinchRef.current = null;
      return;
    }
    const p = toImage(viewRef.current, screen);
    const alt = e.altKey;
    // The pen's eraser end (buttons bit 32) erases as Alt does, with the brush, the lasso and the fill.
    const erase = alt || (e.buttons & 32) !== 0;
    const disc = props.avShown ? (doc.anatomy?.disc ?? null) : null;
    const fovea = props.avShown ? (doc.anatomy?.fovea ?? null) : null;
    const handle = DISC_HANDLE_PX / viewRef.current.scale;
    const grab = discGrab(p, disc, handle);
    const markers = e.button === 0 && !props.spaceHeld && doc.canEditMarkers;
    const discTool = markers && tool === 'disc';
    // The disc's centre dot, then the fovea's cross, are grabbed before any tool: a drag moves the marker.
    const grabbed =
      disc && grab === 'centre'
        ? { which: 'disc' as const, at: disc }
        : fovea && Math.hypot(p.x - fovea.x, p.y - fovea.y) <= handle
          ? { which: 'fovea' as const, at: fovea }
          : null;
    if (markers && grabbed) {
      const from = { x: grabbed.at.x, y: grabbed.at.y };
      gesture.current = { kind: 'marker', which: grabbed.which, grab: p, from, at: from };
    } else if (discTool && alt) {
      // Alt+click with the Disc tool puts the fovea there.
      doc.setFovea(p);
    } else if (discTool) {
      // On the rim: resizes the disc. Elsewhere: the disc is centred here, and a drag sizes it.
      const resize = !!disc && grab === 'rim';
      const d = resize ? disc : null;
      gesture.current = {
        kind: 'discShape',
        centre: d ? { x: d.x, y: d.y } : p,
        diameter: doc.anatomy?.disc?.diameter ?? defaultDiscDiameter(doc.width, doc.height),
        start: screen,
        resize,
      };
      showDiscDraft(gesture.current);
    } else if (e.button === 1 || e.button === 2 || props.spaceHeld || tool === 'pan') {
      gesture.current = { kind: 'pan', start: screen, view: viewRef.current };
    } else if (tool === 'brush' || tool === 'eraser') {
      const value: 0 | 1 = tool === 'brush' && !erase ? 1 : 0;
      doc.begin(tool);
      doc.stroke(p, p, radius, value);
      gesture.current = { kind: 'stroke', last: p, value };
    } else if (AV_TOOLS.has(tool) && alt && e.shiftKey) {
      doc.flipVesselAt(p);
    } else if (tool === 'flipVessel' && !alt) {
      doc.flipVesselAt(p);
    } else if (tool === 'flip' || tool === 'flipVessel' || ((tool === 'artery' || tool === 'vein') && alt)) {
      doc.flipSegmentAt(p);
    } else if (tool === 'artery' || tool === 'vein') {
      const label = tool === 'artery' ? AV_VALUES.artery : AV_VALUES.vein;
      doc.begin(tool);
      doc.strokeLabel(p, p, radius, label);
      gesture.current = { kind: 'label', last: p, label };
    } else if (tool === 'fill') {
      props.onFill({ x: Math.floor(p.x), y: Math.floor(p.y) }, erase ? 0 : 1);
    } else if (tool === 'lasso') {
      gesture.current = { kind: 'lasso', points: [p], value: erase ? 0 : 1 };
    }
    e.preventDefault();
  };

  const onPointerMove = (e: React.PointerEvent) => {
    const screen = local(e);
    if (pointers.current.has(e.pointerId)) pointers.current.set(e.pointerId, screen);
    const g = gesture.current;
    const pair = arbiter.pinch;
    if (g.kind === 'pinch' && pair) {
      const [a, b] = pair.map((id) => pointers.current.get(id) ?? screen);
      const dist = Math.hypot(a.x - b.x, a.y - b.y);
      const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
      const prev = pinchRef.current;
      if (prev && prev.dist > 0) {
        const z = zoomAround(viewRef.current, mid, dist / prev.dist);
        onView({ ...z, x: z.x + mid.x - prev.mid.x, y: z.y + mid.y - prev.mid.y });
      }
      pinchRef.current = { dist, mid };
      return;
    }
    // Only the pointer that drives the gesture moves it (not a palm, nor a hovering pen); any pointer hovers.
    if (!arbiter.drives(e.pointerId) && !arbiter.idle) return;
    moveCursor(screen);
    if (g.kind === 'pan') {
      onView({ ...g.view, x: g.view.x + screen.x - g.start.x, y: g.view.y + screen.y - g.start.y });
    } else if (g.kind === 'stroke') {
      // Coalesced events keep fast strokes faithful; the capsule rasteriser keeps them gap-free regardless.
      const samples = e.nativeEvent.getCoalescedEvents?.() ?? [];
      const list = samples.length > 0 ? samples.map((s) => local(s)) : [screen];
      let wrote = false;
      for (const s of list) {
        const p = toImage(viewRef.current, s);
        wrote = doc.stroke(g.last, p, radius, g.value) || wrote;
        g.last = p;
      }
      if (wrote) strokeInput(samples[0]?.timeStamp ?? e.timeStamp);
    } else if (g.kind === 'label') {
      const p = toImage(viewRef.current, screen);
      doc.strokeLabel(g.last, p, radius, g.label);
      g.last = p;
    } else if (g.kind === 'marker') {
      const p = toImage(viewRef.current, screen);
      g.at = { x: g.from.x + p.x - g.grab.x, y: g.from.y + p.y - g.grab.y };
      // Drawn as dragged; the document changes once, when the drag ends.
      (g.which === 'disc' ? discMarker : foveaMarker).current?.position(g.at);
      uiLayer.current?.batchDraw();
    } else if (g.kind === 'discShape') {
      // A press that barely moved places the disc at its present size; a drag sizes it.
      if (g.resize || Math.hypot(screen.x - g.start.x, screen.y - g.start.y) > DRAG_SLOP_PX) {
        g.diameter = discThrough(g.centre, toImage(viewRef.current, screen)).diameter;
      }
      showDiscDraft(g);
    } else if (g.kind === 'lasso') {
      g.points.push(toImage(viewRef.current, screen));
      lassoLine.current?.points(g.points.flatMap((q) => [q.x, q.y]));
      uiLayer.current?.batchDraw();
    }
  };

  /**
   * The pointer stopped driving (see PointerArbiter.end): a release applies what its gesture did, a cancel drops it;
   * a capture lost without a release (the window lost focus, an alert) ends the stroke as a release would.
   */
  const endPointer = (e: React.PointerEvent, how: PointerEnd) => {
    pointers.current.delete(e.pointerId);
    const ending = arbiter.end(e.pointerId, how);
    if (ending === 'abandon') abandonGesture();
    else if (ending === 'commit') endGesture();
    else if (gesture.current.kind === 'pinch' && !arbiter.pinchActive) gesture.current = { kind: 'none' };
  };

  const endGesture = () => {
    const g = gesture.current;
    gesture.current = { kind: 'none' };
    if (g.kind === 'stroke' || g.kind === 'label') doc.commit();
    else if (g.kind === 'marker') {
      // A click on a marker that did not move it changes nothing (not even the fovea's confidence).
      const still = g.at.x === g.from.x && g.at.y === g.from.y;
      const moved = !still && (g.which === 'disc' ? doc.moveDisc(g.at) : doc.setFovea(g.at));
      if (!moved) (g.which === 'disc' ? discMarker : foveaMarker).current?.position(g.from);
      uiLayer.current?.batchDraw();
    } else if (g.kind === 'discShape') {
      discDraft.current?.visible(false);
      uiLayer.current?.batchDraw();
      doc.setDisc({ ...g.centre, diameter: g.diameter });
    } else if (g.kind === 'lasso') {
      lassoLine.current?.points([]);
      uiLayer.current?.batchDraw();
      if (g.points.length >= 3) doc.lasso(g.points, g.value);
    }
  };

  /**
   * Drops the gesture in progress, changing nothing: a stroke's pixels are restored, a lasso or disc draft is
   * cleared, a dragged marker goes back. True when there was one.
   */
  const abandonGesture = (): boolean => {
    const g = gesture.current;
    gesture.current = { kind: 'none' };
    if (g.kind === 'stroke' || g.kind === 'label') doc.abandon();
    else if (g.kind === 'marker') (g.which === 'disc' ? discMarker : foveaMarker).current?.position(g.from);
    else if (g.kind !== 'lasso' && g.kind !== 'discShape') return false;
    lassoLine.current?.points([]);
    discDraft.current?.visible(false);
    uiLayer.current?.batchDraw();
    return true;
  };

  // Escape during a lasso (as Help says), a disc being sized or a marker dragged drops it, changing nothing; the
  // press that started it ends as a release with nothing to do.
  if (props.cancelGesture)
    props.cancelGesture.current = () => {
      const g = gesture.current.kind;
      return (g === 'lasso' || g === 'discShape' || g === 'marker') && abandonGesture();
    };

  /** The disc being placed or sized, drawn straight on the layer (a re-render per pointer sample would cost). */
  const showDiscDraft = (g: { centre: Point; diameter: number }) => {
    const draft = discDraft.current;
    if (!draft) return;
    draft.position(g.centre);
    for (const c of draft.find('Circle')) (c as Konva.Circle).radius(g.diameter / 2);
    draft.visible(true);
    uiLayer.current?.batchDraw();
  };

  // Stable arrays: a new array on every render would make react-konva redraw the layer each time.
  const dash = useMemo(() => [4 / view.scale, 3 / view.scale], [view.scale]);

  const cursorStyle =
    props.spaceHeld || tool === 'pan'
      ? 'grab'
      : tool === 'fill'
        ? 'cell'
        : tool === 'flip' || tool === 'flipVessel'
          ? 'pointer'
          : 'crosshair';
  return (
    <div
      ref={box}
      className="canvas-box"
      style={{ cursor: cursorStyle }}
      tabIndex={-1}
      data-testid="mask-canvas"
      data-photograph={props.imageIsPreview ? 'preview' : 'full'}
      // Where the markers on screen are (image pixels), for a test to read: shapes on a canvas have no DOM.
      data-disc={props.avShown ? markerAt(doc.anatomy?.disc) : undefined}
      data-current-disc={props.avShown ? markerAt(props.currentAnatomy?.disc) : undefined}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onPointerUp={(e) => endPointer(e, 'up')}
      onPointerCancel={(e) => endPointer(e, 'cancel')}
      onLostPointerCapture={(e) => endPointer(e, 'lostCapture')}
      onPointerEnter={() => (origin.current = null)}
      onPointerLeave={() => {
        hoverAt.current = null;
        props.onCursor(null);
      }}
      onContextMenu={(e) => e.preventDefault()}
    >
      {size && (
        <Stage
          ref={stage}
          width={size.w}
          height={size.h}
          scaleX={view.scale}
          scaleY={view.scale}
          x={view.x}
          y={view.y}
          listening={false}
        >
          <Layer ref={imageLayer} listening={false} imageSmoothingEnabled={view.scale < 2}>
            <KRect x={0} y={0} width={doc.width} height={doc.height} fill="#000" />
            <KImage image={props.image} x={0} y={0} width={doc.width} height={doc.height} />
          </Layer>
          {/* No shapes: the overlay paints this layer's canvas itself (overlayCanvas.ts) as the layer draws. */}
          <Layer ref={overlayLayer} listening={false} clearBeforeDraw={false} visible={props.maskVisible} />
          {props.layers}
          <Layer ref={uiLayer} listening={false}>
            {props.avShown && props.currentAnatomy && (
              <AnatomyMarkers anatomy={props.currentAnatomy} scale={view.scale} ghost />
            )}
            {props.avShown && doc.anatomy && (
              <AnatomyMarkers
                anatomy={doc.anatomy}
                scale={view.scale}
                discRef={discMarker}
                foveaRef={foveaMarker}
              />
            )}
            {/* A dark ring under a white one: visible on any background, without a costly shadow blur. */}
            <Group ref={cursor} visible={false}>
              <Circle
                radius={Math.max(radius, 0.5)}
                stroke="#000"
                strokeWidth={2.5 / view.scale}
                opacity={0.6}
              />
              <Circle radius={Math.max(radius, 0.5)} stroke="#fff" strokeWidth={1 / view.scale} />
            </Group>
            <Group ref={discDraft} visible={false}>
              <Circle stroke="#000" strokeWidth={3.5 / view.scale} opacity={0.55} />
              <Circle stroke="#00e5ff" strokeWidth={1.5 / view.scale} dash={dash} />
            </Group>
            {/* Its points are set imperatively while a lasso is drawn, so a re-render never wipes them. */}
            <Line ref={lassoLine} closed stroke="#00e5ff" strokeWidth={1.5 / view.scale} dash={dash} />
          </Layer>
        </Stage>
      )}
    </div>
  );
}
