// Opt-in latency instrumentation for `npm run bench:ui`: active only when the page was opened with `perf=1` in
// its query or hash (remembered for reloads of the tab). It records, in window.__retinaPerf:
//   strokes: ms from a brush pointer event (the oldest coalesced sample) to the frame showing its pixels;
//   strokeQueued: for the same samples, the part of that before the handler had drawn them into the mask (the
//                 wait for the event to be delivered: with input aligned to frames, mostly the wait for a frame);
//   opens:   ms from the viewer being asked for an image to the first frame showing the image and its mask.
// "The frame showing it": a message posted from inside the rendering step that drew the pixels (Konva draws from
// requestAnimationFrame) is delivered only after that step has painted the frame.

export interface RetinaPerf {
  strokes: number[];
  strokeQueued: number[];
  opens: { imageId: string; ms: number }[];
  reset(): void;
}

declare global {
  interface Window {
    __retinaPerf?: RetinaPerf;
  }
}

const KEY = 'retina.perf';

function readFlag(): boolean {
  if (typeof window === 'undefined') return false;
  const hash = new URLSearchParams(location.hash.replace(/^#/, ''));
  const query = new URLSearchParams(location.search);
  if (hash.get('perf') === '1' || query.get('perf') === '1') sessionStorage.setItem(KEY, '1');
  return sessionStorage.getItem(KEY) === '1';
}

const perf: RetinaPerf | null = readFlag() ? { strokes: [], strokeQueued: [], opens: [], reset() {} } : null;
if (perf) {
  perf.reset = () => {
    perf.strokes.length = 0;
    perf.strokeQueued.length = 0;
    perf.opens.length = 0;
  };
  window.__retinaPerf = perf;
}

/** Runs `done` in the first task after the current one; called during a rendering step: after its paint. */
function afterThisPaint(done: () => void): void {
  const ch = new MessageChannel();
  ch.port1.onmessage = () => {
    ch.port1.close();
    done();
  };
  ch.port2.postMessage(0);
}

/** From an ordinary task: the next rendering step runs Konva's pending batchDraw before this callback. */
function afterNextPaint(done: () => void): void {
  requestAnimationFrame(() => afterThisPaint(done));
}

let pendingInputs: { at: number; handled: number }[] = [];

/** A brush sample changed mask pixels; `eventTime` is the pointer event's timeStamp. */
export function strokeInput(eventTime: number): void {
  if (perf) pendingInputs.push({ at: eventTime, handled: performance.now() });
}

/** The overlay layer has just drawn (from batchDraw's frame callback): pending inputs show in this frame. */
export function overlayDrawn(): void {
  if (!perf || pendingInputs.length === 0) return;
  const inputs = pendingInputs;
  pendingInputs = [];
  afterThisPaint(() => {
    const now = performance.now();
    for (const { at, handled } of inputs) {
      perf.strokes.push(now - at);
      perf.strokeQueued.push(handled - at);
    }
  });
}

/** The viewer mounted with both image and masks ready to draw; `startedAt` is when it was asked to open. */
export function viewerShown(imageId: string, startedAt: number): void {
  if (!perf) return;
  afterNextPaint(() => perf.opens.push({ imageId, ms: performance.now() - startedAt }));
}
