// The image being reviewed and its mask document: decoded photograph and masks from the open cache (prefetched
// when the user came by the arrow keys), checked to match, and refreshed in place when a new prediction arrives.
// The review state comes with the masks; an approved image's document is locked until it is reopened.
import { useCallback, useEffect, useRef, useState } from 'react';
import {
  prob16View,
  type AnatomyPayload,
  type KeptDraftPayload,
  type MaskVersionPayload,
  type MasksResponse,
  type PredictionPayload,
  type ReviewState,
} from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { releaseImage, standIn, type DecodedImage } from './imageSource.js';
import { previewSize } from './previewSize.js';
import { viewerScreen } from './openCache.js';
import { MaskDocument, type PredictionInput } from './maskDocument.js';
import { rebuildsForPrediction } from './predictionRefresh.js';
import { labelsForMask } from '../editing/avLabels.js';
import { differingPixels } from '../../../shared/edit-lease.js';

export interface ViewerDocument {
  image: DecodedImage | null;
  doc: MaskDocument | null;
  /** "opened in N ms" once both have arrived. */
  status: string;
  loadError: string | null;
  /** The threshold slider: starts at the document's own, then follows the user. */
  threshold: number;
  setThreshold: (t: number) => void;
  /** The prediction shown: its per-image version number and model (null without one). */
  prediction: PredictionInfo | null;
  /** Where the image's review stands (null until the masks arrived). */
  review: ReviewState | null;
  /** After a save, an approval or a reopen: the state main answered with (locks or unlocks the document). */
  setReview: (r: ReviewState) => void;
  /** Fresh masks from main, as a new document (after a reopen), bypassing any prefetch. */
  reloadMasks: () => Promise<MaskDocument>;
  /**
   * Fresh masks after a prediction finished (`m`: those already fetched, applied at once): the new prediction goes
   * into the open document (undo kept).
   */
  refreshPrediction: (m?: MasksResponse) => Promise<void>;
  /** The prediction shown as of now (what `prediction` will say at the next render). */
  shownPrediction: () => PredictionInfo | null;
  /** Whether main has anatomy models (false: no image can have an artery/vein map; null until known). */
  anatomyModels: boolean | null;
  /**
   * Shows other pixels (a kept draft, an earlier version), read-only, over the image's current mask (the difference
   * overlay compares the two); answers the current version it was compared with (what adopting it builds on), the
   * version shown as current (the prediction while nothing is saved) and how many pixels differ.
   */
  showKeptDraft: (kept: ShownPixels) => Promise<ShownOver>;
}

export interface PredictionInfo {
  version: number;
  versionId: string;
  modelName: string | null;
  /** It carries an artery/vein map. */
  hasAv: boolean;
}

const predictionInfo = (m: MasksResponse): PredictionInfo | null =>
  m.prediction
    ? {
        version: m.prediction.version,
        versionId: m.prediction.versionId,
        modelName: m.prediction.modelName,
        hasAv: !!m.prediction.av,
      }
    : null;

function predictionInput(p: PredictionPayload): PredictionInput {
  return {
    prob: p.encoding === 'prob16' ? prob16View(p.data) : p.encoding === 'prob8' ? p.data : null,
    mask: p.encoding === 'mask8' ? p.data : null,
    threshold: p.threshold,
    versionId: p.versionId,
    probabilitiesLater: p.encoding === 'mask8' && !!p.probabilities,
  };
}

/**
 * The labels and record editing starts from: the saved version's own; for a version saved without labels, the
 * prediction's fitted to its mask; without a saved version, the prediction's.
 */
function startingAnatomy(
  m: MasksResponse,
  saved: Pick<MaskVersionPayload, 'data' | 'av' | 'anatomy'> | null,
) {
  const pred = m.prediction;
  const record = saved?.anatomy ?? pred?.anatomy ?? null;
  if (!saved) return { labels: pred?.av ?? null, record };
  if (saved.av) return { labels: saved.av, record };
  return { labels: pred?.av ? labelsForMask(saved.data, pred.av, m.width, m.height) : null, record };
}

/** The newest person-made version is where editing resumes: an approval newer than a draft wins. */
const resumeVersion = (m: MasksResponse): MaskVersionPayload | null =>
  m.review.status === 'approved' ? (m.approved ?? m.draft) : (m.draft ?? m.approved);

/**
 * A kept draft or an earlier version: its id (a kept draft's, or a version's), its 0/1 pixels and, when sent, its
 * artery/vein labels and disc/fovea record (what adopting or restoring it brings back).
 */
export type ShownPixels = Pick<KeptDraftPayload, 'id' | 'data'> &
  Partial<Pick<MaskVersionPayload, 'av' | 'anatomy'>>;

export interface ShownOver {
  currentVersionId: string | null;
  shownVersionId: string | null;
  differing: number;
  /** The current mask's disc and fovea, drawn apart from the shown one's. */
  currentAnatomy: AnatomyPayload | null;
}

/**
 * A kept draft or an earlier version as a locked document whose "prediction" is the current mask, for the
 * difference overlay; with its labels and disc as the viewer would start from them once it is adopted or restored.
 */
function keptDocument(m: MasksResponse, kept: ShownPixels): MaskDocument {
  const current = resumeVersion(m);
  const doc = new MaskDocument({
    width: m.width,
    height: m.height,
    saved: { data: kept.data, versionId: current?.versionId ?? kept.id },
    prediction: current
      ? { prob: null, mask: current.data, threshold: 0.5, versionId: current.versionId }
      : m.prediction
        ? predictionInput(m.prediction)
        : null,
    anatomy:
      kept.av === undefined
        ? null
        : startingAnatomy(m, { data: kept.data, av: kept.av, anatomy: kept.anatomy }),
  });
  doc.locked = true;
  return doc;
}

/**
 * The mask the viewer shows as the image's current one: its newest person-made version's, else (nothing saved yet)
 * the prediction's as thresholded, which is what a shown kept draft or earlier version is compared with.
 */
function currentPixels(m: MasksResponse): Uint8Array | null {
  const current = resumeVersion(m);
  if (current) return current.data;
  if (!m.prediction) return null;
  const predicted = new MaskDocument({
    width: m.width,
    height: m.height,
    saved: null,
    prediction: predictionInput(m.prediction),
    anatomy: null,
  });
  return predicted.mask;
}

function buildDocument(m: MasksResponse): MaskDocument {
  const saved = resumeVersion(m);
  const doc = new MaskDocument({
    width: m.width,
    height: m.height,
    saved: saved ? { data: saved.data, versionId: saved.versionId } : null,
    prediction: m.prediction ? predictionInput(m.prediction) : null,
    anatomy: startingAnatomy(m, saved),
  });
  doc.locked = m.review.status === 'approved';
  return doc;
}

/** Runs `task` when the page is next idle (soon regardless). */
function whenIdle(task: () => void): void {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(task, { timeout: 300 });
  else setTimeout(task, 50);
}

/** Starts `task` once the frame now being prepared has been painted (two animation frames on, then a task). */
function afterFirstFrame(task: () => void): void {
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(task, 0)));
}

/**
 * `readOnly`: another window edits the image (or the shown mask is not the current one): the document is locked.
 * `size`: the image's size as the worklist knows it, when it does (a large image opens with a preview first).
 */
export function useViewerDocument(
  imageId: string,
  readOnly = false,
  size: { width: number; height: number } | null = null,
): ViewerDocument {
  // Read when an image opens: a new list with the same sizes does not reopen it.
  const sizeHint = useRef(size);
  sizeHint.current = size;
  const { client, openCache, report } = useApp();
  const [image, setImage] = useState<DecodedImage | null>(null);
  const [doc, setDoc] = useState<MaskDocument | null>(null);
  const [status, setStatus] = useState<string>('');
  const [loadError, setLoadError] = useState<string | null>(null);
  const [threshold, setThreshold] = useState(0.5);
  const [review, setReviewState] = useState<ReviewState | null>(null);
  const [prediction, setPrediction] = useState<PredictionInfo | null>(null);
  const [anatomyModels, setAnatomyModels] = useState<boolean | null>(null);
  // Re-renders what reads the document's probabilities (the slider) once they arrived after the first frame.
  const [, probabilitiesArrived] = useState(0);
  // Set with `prediction`, read by a check that awaited masks meanwhile (a prediction made elsewhere).
  const shownRef = useRef<PredictionInfo | null>(null);
  const showPrediction = useCallback((m: MasksResponse) => {
    shownRef.current = predictionInfo(m);
    setPrediction(shownRef.current);
  }, []);
  const shownPrediction = useCallback(() => shownRef.current, []);

  const adopt = useCallback(
    (m: MasksResponse, built?: MaskDocument) => {
      const d = built ?? buildDocument(m);
      setThreshold(d.threshold);
      // Undoing a slider gesture puts the threshold back: the slider follows.
      d.onThresholdRestored = setThreshold;
      setDoc(d);
      setReviewState(m.review);
      showPrediction(m);
      setAnatomyModels(m.anatomyModels ?? false);
      return d;
    },
    [showPrediction],
  );

  // The document follows the review state: approved locks it; a save or a reopen that made it a draft unlocks it.
  useEffect(() => {
    if (doc && review) doc.locked = review.status === 'approved' || readOnly;
  }, [doc, review, readOnly]);

  const setReview = useCallback(
    (r: ReviewState) => {
      if (doc) doc.locked = r.status === 'approved' || readOnly;
      setReviewState(r);
    },
    [doc, readOnly],
  );

  const reloadMasks = useCallback(
    async () => adopt(await client.invoke('getMasks', { imageId })),
    [adopt, client, imageId],
  );

  const refreshPrediction = useCallback(
    async (fetched?: MasksResponse) => {
      const m = fetched ?? (await client.invoke('getMasks', { imageId }));
      if (!doc || !m.prediction || rebuildsForPrediction(doc, m)) {
        adopt(m);
        return;
      }
      doc.replacePrediction(predictionInput(m.prediction));
      setThreshold(doc.threshold);
      showPrediction(m);
      setReview(m.review);
    },
    [adopt, client, doc, imageId, setReview, showPrediction],
  );

  const showKeptDraft = useCallback(
    async (kept: ShownPixels) => {
      const m = await client.invoke('getMasks', { imageId });
      const d = keptDocument(m, kept);
      setDoc(d);
      setReviewState(m.review);
      const shownNow = currentPixels(m);
      return {
        currentVersionId: resumeVersion(m)?.versionId ?? null,
        shownVersionId: resumeVersion(m)?.versionId ?? m.prediction?.versionId ?? null,
        differing: shownNow ? differingPixels(kept.data, shownNow) : kept.data.reduce((n, v) => n + v, 0),
        currentAnatomy: startingAnatomy(m, resumeVersion(m)).record,
      };
    },
    [client, imageId],
  );

  // A preview copy is this viewer's own (the cache's photographs are shared, and freed by the cache): its bitmap is
  // closed once the photograph replaced it on screen, or the viewer moved on, not left open until a collection.
  useEffect(() => {
    if (image?.preview) return () => releaseImage(image);
  }, [image]);

  useEffect(() => {
    let cancelled = false;
    const t0 = performance.now();
    // The document (threshold and overlay, 8 M pixels for a large image) is built while the photograph still
    // decodes off the main thread.
    const building = openCache.takeMasks(imageId).then((m) => ({ m, d: buildDocument(m) }));
    // A large photograph not yet decoded: a screen-sized copy decodes several times sooner and stands in for it.
    // The photograph itself is then fetched once the copy is on screen: receiving and decoding 8 M pixels meanwhile
    // would take a core from the first frame (two cores are common).
    const hint = sizeHint.current;
    const maxSize = hint && !openCache.decoded(imageId) ? previewSize(hint, viewerScreen()) : null;
    let photograph: Promise<DecodedImage> | null = null;
    const full = () => (photograph ??= openCache.image(imageId, true));
    const first =
      hint && maxSize
        ? openCache.preview(imageId, maxSize).then(
            (copy) => standIn(copy, hint.width, hint.height),
            () => full(),
          )
        : full();
    const fits = (img: DecodedImage, m: MasksResponse) => {
      if (img.width !== m.width || img.height !== m.height) {
        throw new Error(`the masks are ${m.width}x${m.height} but the image is ${img.width}x${img.height}`);
      }
    };
    const failed = (err: unknown) => {
      if (!cancelled) setLoadError(err instanceof Error ? err.message : String(err));
    };
    Promise.all([first, building])
      .then(([img, { m, d }]) => {
        if (cancelled || img.width !== m.width || img.height !== m.height) {
          // Never shown: the viewer effect above does not free it.
          if (img.preview) releaseImage(img);
        }
        if (cancelled) return;
        fits(img, m);
        adopt(m, d);
        setImage(img);
        setStatus(`opened in ${Math.round(performance.now() - t0)} ms`);
        if (img.preview) {
          afterFirstFrame(() => {
            if (cancelled) return;
            full()
              .then((f) => {
                if (cancelled) return;
                fits(f, m);
                setImage(f);
              })
              .catch(failed);
          });
        }
        // The working mask is made once the image is on screen, off the way to the first frame.
        whenIdle(() => cancelled || d.prepare());
        // The probabilities (8 MB for a large image) only when the slider first moves.
        const p = m.prediction;
        if (p?.probabilities && !d.prob) {
          d.onProbabilitiesNeeded = () => {
            client
              .invoke('getProbabilities', { imageId, versionId: p.versionId })
              .then((r) => {
                if (!cancelled && r && d.attachProbabilities(r.versionId, r.data))
                  probabilitiesArrived((n) => n + 1);
              })
              .catch((err: unknown) => cancelled || report(err));
          };
        }
      })
      .catch(failed);
    return () => {
      cancelled = true;
    };
  }, [adopt, client, imageId, openCache, report]);

  return {
    image,
    doc,
    status,
    loadError,
    threshold,
    setThreshold,
    prediction,
    review,
    setReview,
    reloadMasks,
    refreshPrediction,
    shownPrediction,
    anatomyModels,
    showKeptDraft,
  };
}
