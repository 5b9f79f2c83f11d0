// Review and correction of one image: loads the photograph and its masks, wires tools, keyboard, autosave,
// approve and predict around the MaskCanvas.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { prob16View, type ImageSummary, type MasksResponse } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { NO_FILTER, type DisplayFilter } from '../editing/displayFilter.js';
import { actualSize, fitView, type View } from '../editing/viewport.js';
import { HelpOverlay } from './HelpOverlay.js';
import { renderFiltered, type DecodedImage } from './imageSource.js';
import { actionFor, keyBelongsToControl, type Action } from './keymap.js';
import { MaskCanvas, type Tool } from './MaskCanvas.js';
import { MaskDocument } from './maskDocument.js';
import { viewerShown } from '../perf.js';

const AUTOSAVE_MS = 1500;
type SaveState = 'saved' | 'pending' | 'saving' | 'error';

export interface ViewerProps {
  imageId: string;
  list: ImageSummary[];
  onNavigate: (imageId: string) => void;
  onClose: () => void;
}

function buildDocument(m: MasksResponse): MaskDocument {
  const saved = m.draft ?? m.approved;
  const p = m.prediction;
  return new MaskDocument({
    width: m.width,
    height: m.height,
    saved: saved ? { data: saved.data, versionId: saved.versionId } : null,
    prediction: p
      ? {
          prob: p.encoding === 'prob16' ? prob16View(p.data) : null,
          mask: p.encoding === 'mask8' ? p.data : null,
          threshold: p.threshold,
          versionId: p.versionId,
        }
      : null,
  });
}

export function Viewer({ imageId, list, onNavigate, onClose }: ViewerProps) {
  const { client, report, notify, jobs, model, openCache } = useApp();
  const [image, setImage] = useState<DecodedImage | null>(null);
  const [display, setDisplay] = useState<CanvasImageSource | null>(null);
  const [doc, setDoc] = useState<MaskDocument | null>(null);
  const [status, setStatus] = useState<string>('');
  const [loadError, setLoadError] = useState<string | null>(null);
  const [view, setView] = useState<View>({ scale: 1, x: 0, y: 0 });
  const [box, setBox] = useState<{ w: number; h: number } | null>(null);
  const fitted = useRef(false);
  const [tool, setTool] = useState<Tool>('brush');
  const [radius, setRadius] = useState(3);
  const [maskVisible, setMaskVisible] = useState(true);
  const [opacity, setOpacity] = useState(0.6);
  const [colour, setColour] = useState('#ffc800');
  const [diff, setDiff] = useState(false);
  const [filter, setFilter] = useState<DisplayFilter>(NO_FILTER);
  const [threshold, setThreshold] = useState(0.5);
  const [islandSize, setIslandSize] = useState(20);
  const [help, setHelp] = useState(false);
  const [spaceHeld, setSpaceHeld] = useState(false);
  const [saveState, setSaveState] = useState<SaveState>('saved');
  const [edits, setEdits] = useState(0);
  const cursorText = useRef<HTMLSpanElement>(null);
  const [predictJob, setPredictJob] = useState<string | null>(null);
  const saveTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const saving = useRef<Promise<void>>(Promise.resolve());
  const docRef = useRef<MaskDocument | null>(null);
  docRef.current = doc;
  const [openedAt] = useState(() => performance.now());

  // --- loading -------------------------------------------------------------------------------------------------

  const adopt = useCallback((m: MasksResponse) => {
    const d = buildDocument(m);
    setThreshold(d.threshold);
    setDoc(d);
    return d;
  }, []);

  /** Fresh masks from main (after a prediction finished), bypassing any prefetch. */
  const reloadMasks = useCallback(
    async () => adopt(await client.invoke('getMasks', { imageId })),
    [adopt, client, imageId],
  );

  useEffect(() => {
    let cancelled = false;
    const t0 = performance.now();
    Promise.all([openCache.image(imageId, true), openCache.takeMasks(imageId)])
      .then(([img, m]) => {
        if (cancelled) return;
        if (img.width !== m.width || img.height !== m.height) {
          throw new Error(`the masks are ${m.width}x${m.height} but the image is ${img.width}x${img.height}`);
        }
        adopt(m);
        setImage(img);
        setStatus(`opened in ${Math.round(performance.now() - t0)} ms`);
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        setLoadError(err instanceof Error ? err.message : String(err));
      });
    return () => {
      cancelled = true;
    };
  }, [adopt, imageId, openCache]);

  // Fit once, when both the image and the canvas size are known (before the first paint); later resizes keep
  // the user's view.
  useLayoutEffect(() => {
    if (!image || !box || fitted.current) return;
    fitted.current = true;
    setView(fitView(image.width, image.height, box.w, box.h));
  }, [image, box]);

  // The bench's "opened" moment: the first frame with the image, its mask and the fitted view.
  const shown = useRef(false);
  useLayoutEffect(() => {
    if (shown.current || !fitted.current || !doc || !image) return;
    shown.current = true;
    viewerShown(imageId, openedAt);
  }, [doc, image, view, imageId, openedAt]);

  // Once this image is on screen, fetch its neighbours so the arrow keys open them at once.
  const index = list.findIndex((x) => x.id === imageId);
  const ready = doc !== null && image !== null;
  useEffect(() => {
    if (!ready) return;
    const t = setTimeout(() => {
      openCache.prefetch([list[index + 1]?.id, list[index - 1]?.id].filter((x): x is string => !!x));
    }, 50);
    return () => clearTimeout(t);
  }, [ready, index, list, openCache]);

  useLayoutEffect(() => {
    if (!image) return;
    try {
      setDisplay(renderFiltered(image, filter));
    } catch (err) {
      report(err);
    }
  }, [image, filter, report]);

  useEffect(() => {
    doc?.setColour(colour);
  }, [doc, colour]);

  useEffect(() => {
    doc?.setMode(diff ? 'diff' : 'mask');
  }, [doc, diff]);

  // --- saving --------------------------------------------------------------------------------------------------

  const saveNow = useCallback(async (): Promise<void> => {
    const d = docRef.current;
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = null;
    if (!d) return;
    const mask = d.snapshot();
    setSaveState('saving');
    saving.current = saving.current.then(async () => {
      try {
        await client.invoke('saveDraft', {
          imageId,
          width: d.width,
          height: d.height,
          mask,
          parentVersionId: d.parentVersionId,
        });
        setSaveState((s) => (s === 'saving' ? 'saved' : s));
      } catch (err) {
        setSaveState('error');
        report(err);
      }
    });
    openCache.trackSave(imageId, saving.current);
    return saving.current;
  }, [client, imageId, openCache, report]);

  useEffect(() => {
    if (!doc) return;
    doc.onEdited = () => {
      setEdits((n) => n + 1);
      setSaveState('pending');
      if (saveTimer.current) clearTimeout(saveTimer.current);
      saveTimer.current = setTimeout(() => void saveNow(), AUTOSAVE_MS);
    };
    return () => {
      doc.onEdited = () => {};
    };
  }, [doc, saveNow]);

  // Flush a pending draft when leaving the image.
  useEffect(
    () => () => {
      if (saveTimer.current) void saveNow();
    },
    [saveNow],
  );

  const approve = useCallback(async () => {
    const d = docRef.current;
    if (!d) return;
    d.commit();
    if (saveTimer.current) clearTimeout(saveTimer.current);
    saveTimer.current = null;
    try {
      await saving.current;
      const approving = client.invoke('approveMask', {
        imageId,
        width: d.width,
        height: d.height,
        mask: d.snapshot(),
        parentVersionId: d.parentVersionId,
      });
      openCache.trackSave(imageId, approving);
      const r = await approving;
      setSaveState('saved');
      notify(`Approved (version ${r.versionId})`, 'info');
    } catch (err) {
      report(err);
    }
  }, [client, imageId, notify, openCache, report]);

  const predict = useCallback(async () => {
    try {
      const { jobId } = await client.invoke('predict', { imageIds: [imageId] });
      setPredictJob(jobId);
    } catch (err) {
      report(err);
    }
  }, [client, imageId, report]);

  // Reload masks when our prediction job finishes.
  const job = predictJob ? jobs.get(predictJob) : undefined;
  useEffect(() => {
    if (!job || job.state === 'queued' || job.state === 'running') return;
    setPredictJob(null);
    if (job.state === 'done') reloadMasks().catch(report);
  }, [job, reloadMasks, report]);

  // --- commands ------------------------------------------------------------------------------------------------

  const go = useCallback(
    (delta: number) => {
      const next = list[index + delta];
      if (next) onNavigate(next.id);
    },
    [index, list, onNavigate],
  );

  const run = useCallback(
    (action: Action) => {
      const d = docRef.current;
      switch (action) {
        case 'brush':
        case 'eraser':
        case 'fill':
        case 'lasso':
        case 'pan':
          setTool(action);
          break;
        case 'smaller':
          setRadius((r) => Math.max(0.5, r >= 2 ? Math.round(r / 1.25) : r - 0.5));
          break;
        case 'bigger':
          setRadius((r) => Math.min(200, r >= 2 ? Math.max(r + 1, Math.round(r * 1.25)) : r + 0.5));
          break;
        case 'undo':
          d?.undoEdit();
          break;
        case 'redo':
          d?.redoEdit();
          break;
        case 'toggleMask':
          setMaskVisible((v) => !v);
          break;
        case 'toggleDiff':
          setDiff((v) => !v);
          break;
        case 'green':
          setFilter((f) => ({ ...f, greenOnly: !f.greenOnly }));
          break;
        case 'clahe':
          setFilter((f) => ({ ...f, clahe: !f.clahe }));
          break;
        case 'islands':
          if (d) notify(`Removed ${d.removeIslands(islandSize)} island(s)`, 'info');
          break;
        case 'holes':
          if (d) notify(`Filled ${d.fillHoles(islandSize)} hole(s)`, 'info');
          break;
        case 'fit':
          if (image && box) setView(fitView(image.width, image.height, box.w, box.h));
          break;
        case 'actual':
          if (box) setView((v) => actualSize(v, box.w, box.h));
          break;
        case 'next':
          go(1);
          break;
        case 'previous':
          go(-1);
          break;
        case 'approve':
          void approve();
          break;
        case 'predict':
          void predict();
          break;
        case 'help':
          setHelp((h) => !h);
          break;
        case 'close':
          if (help) setHelp(false);
          else onClose();
          break;
      }
    },
    [approve, box, go, help, image, islandSize, notify, onClose, predict],
  );

  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (keyBelongsToControl(e)) return;
      if (e.key === ' ') {
        setSpaceHeld(true);
        e.preventDefault();
        return;
      }
      const a = actionFor(e);
      if (!a) return;
      e.preventDefault();
      run(a);
    };
    const onKeyUp = (e: KeyboardEvent) => {
      if (e.key === ' ') setSpaceHeld(false);
    };
    window.addEventListener('keydown', onKeyDown);
    window.addEventListener('keyup', onKeyUp);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      window.removeEventListener('keyup', onKeyUp);
    };
  }, [run]);

  // --- render --------------------------------------------------------------------------------------------------

  const current = list[index];
  const tools: [Tool, string, string][] = [
    ['brush', 'Brush', 'B'],
    ['eraser', 'Eraser', 'E'],
    ['fill', 'Fill', 'F'],
    ['lasso', 'Lasso', 'L'],
    ['pan', 'Pan', 'V'],
  ];
  void edits; // re-render on edits so undo/redo buttons update

  // The pointer readout changes on every move: written straight into the status bar, never through React state.
  const onCursor = useCallback((p: { x: number; y: number; value: number } | null) => {
    const el = cursorText.current;
    if (el) el.textContent = p ? `x ${p.x} y ${p.y} · ${p.value ? 'vessel' : 'background'}` : '';
  }, []);

  return (
    <div className="viewer" data-testid="viewer">
      <aside className="tools">
        {tools.map(([t, label, k]) => (
          <button
            key={t}
            className={tool === t ? 'on' : ''}
            onClick={() => setTool(t)}
            title={`${label} (${k})`}
            data-testid={`tool-${t}`}
          >
            {label}
            <kbd>{k}</kbd>
          </button>
        ))}
        <label>
          Size {radius * 2} px
          <input
            type="range"
            min={1}
            max={80}
            step={1}
            value={radius * 2}
            onChange={(e) => setRadius(Number(e.target.value) / 2)}
          />
        </label>
        <hr />
        <button disabled={!doc?.undo.canUndo} onClick={() => run('undo')} data-testid="undo">
          Undo <kbd>Ctrl+Z</kbd>
        </button>
        <button disabled={!doc?.undo.canRedo} onClick={() => run('redo')} data-testid="redo">
          Redo <kbd>Ctrl+⇧+Z</kbd>
        </button>
        <hr />
        <label>
          N (px)
          <input
            type="number"
            min={1}
            max={100000}
            value={islandSize}
            onChange={(e) => setIslandSize(Math.max(1, Number(e.target.value) || 1))}
          />
        </label>
        <button onClick={() => run('islands')} data-testid="islands">
          Remove islands &lt; N <kbd>I</kbd>
        </button>
        <button onClick={() => run('holes')} data-testid="holes">
          Fill holes ≤ N <kbd>⇧F</kbd>
        </button>
        <hr />
        <button onClick={() => run('help')}>
          Help <kbd>H</kbd>
        </button>
      </aside>

      <section className="stage">
        {loadError ? (
          <div className="load-error" data-testid="load-error">
            Cannot open this image: {loadError}
          </div>
        ) : doc && image && display ? (
          <MaskCanvas
            doc={doc}
            image={display}
            view={view}
            onView={setView}
            onSize={(w, h) => setBox({ w, h })}
            tool={tool}
            radius={radius}
            maskVisible={maskVisible}
            opacity={opacity}
            spaceHeld={spaceHeld}
            onCursor={onCursor}
          />
        ) : (
          <div className="loading">Loading…</div>
        )}
        <div className="statusbar">
          <span>{current ? current.fileName : imageId}</span>
          <span>
            {index + 1}/{list.length}
          </span>
          <span data-testid="zoom">{Math.round(view.scale * 100)}%</span>
          <span ref={cursorText} />
          <span className={`save ${saveState}`} data-testid="save-state">
            {saveState === 'saved'
              ? 'Saved'
              : saveState === 'pending'
                ? 'Edited'
                : saveState === 'saving'
                  ? 'Saving…'
                  : 'Save failed'}
          </span>
          <span className="muted">{status}</span>
        </div>
      </section>

      <aside className="panel">
        <button className="primary big" onClick={() => void approve()} disabled={!doc} data-testid="approve">
          Approve <kbd>A</kbd>
        </button>
        <button onClick={() => void predict()} disabled={!model || predictJob !== null} data-testid="predict">
          {predictJob ? `Predicting… ${job ? `${job.done}/${job.total}` : ''}` : 'Predict'} <kbd>P</kbd>
        </button>
        {predictJob && (
          <button onClick={() => client.invoke('cancelJob', { jobId: predictJob }).catch(report)}>
            Cancel
          </button>
        )}
        <h4>Overlay</h4>
        <label className="check">
          <input
            type="checkbox"
            checked={maskVisible}
            onChange={(e) => setMaskVisible(e.target.checked)}
            data-testid="toggle-mask"
          />
          Show mask <kbd>O</kbd>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={diff}
            disabled={!doc?.hasPrediction}
            onChange={(e) => setDiff(e.target.checked)}
            data-testid="toggle-diff"
          />
          Difference <kbd>D</kbd>
        </label>
        {diff && (
          <div className="legend">
            <span className="sw both" style={{ background: colour }} /> both <span className="sw added" />{' '}
            added <span className="sw removed" /> removed
          </div>
        )}
        <label>
          Colour <input type="color" value={colour} onChange={(e) => setColour(e.target.value)} />
        </label>
        <label>
          Opacity {Math.round(opacity * 100)}%
          <input
            type="range"
            min={0}
            max={1}
            step={0.05}
            value={opacity}
            onChange={(e) => setOpacity(Number(e.target.value))}
            data-testid="opacity"
          />
        </label>
        <h4>Prediction</h4>
        {doc?.hasPrediction ? (
          <label>
            Threshold {threshold.toFixed(2)}
            <input
              type="range"
              min={0.01}
              max={0.99}
              step={0.01}
              value={threshold}
              disabled={!doc.prob}
              data-testid="threshold"
              onChange={(e) => {
                const t = Number(e.target.value);
                setThreshold(t);
                doc.setThreshold(t, false);
              }}
              onPointerUp={() => doc.commit()}
              onKeyUp={() => doc.commit()}
              onBlur={() => doc.commit()}
            />
            {!doc.followsPrediction && (
              <span className="muted small">
                Saved corrections are kept; the slider moves the prediction (see Difference).
              </span>
            )}
          </label>
        ) : (
          <p className="muted small">No prediction yet.</p>
        )}
        <h4>Display</h4>
        <label className="check">
          <input
            type="checkbox"
            checked={filter.greenOnly}
            onChange={(e) => setFilter({ ...filter, greenOnly: e.target.checked })}
          />
          Green channel <kbd>G</kbd>
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={!!filter.clahe}
            onChange={(e) => setFilter({ ...filter, clahe: e.target.checked })}
            data-testid="clahe"
          />
          CLAHE (green) <kbd>C</kbd>
        </label>
        <label>
          Contrast {filter.contrast.toFixed(1)}
          <input
            type="range"
            min={0.5}
            max={4}
            step={0.1}
            value={filter.contrast}
            onChange={(e) => setFilter({ ...filter, contrast: Number(e.target.value) })}
          />
        </label>
        <label>
          Brightness {filter.brightness}
          <input
            type="range"
            min={-100}
            max={100}
            step={5}
            value={filter.brightness}
            onChange={(e) => setFilter({ ...filter, brightness: Number(e.target.value) })}
          />
        </label>
        <div className="row">
          <button onClick={() => run('fit')}>
            Fit <kbd>0</kbd>
          </button>
          <button onClick={() => run('actual')}>
            1:1 <kbd>1</kbd>
          </button>
        </div>
        <div className="row">
          <button onClick={() => go(-1)} disabled={index <= 0}>
            ← Prev
          </button>
          <button onClick={() => go(1)} disabled={index < 0 || index >= list.length - 1}>
            Next →
          </button>
        </div>
        <button onClick={onClose}>Back to worklist</button>
      </aside>
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
    </div>
  );
}
