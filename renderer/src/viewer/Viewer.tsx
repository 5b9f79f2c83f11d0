// Review and correction of one image: composes the viewer's hooks (document, view, display, overlay, tools,
// autosave, edit lease and kept drafts, prediction, navigation, review, commands, keys) around the MaskCanvas, the
// review header and edit notice, the toolbar, the panel and the status bar. State lives in the hooks; this file only
// wires them.
import { useCallback, useEffect, useRef, useState } from 'react';
import { RpcError, type ImageSummary } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { DisplayControls } from './DisplayControls.js';
import { HelpOverlay } from './HelpOverlay.js';
import { AV_TOOLS, MaskCanvas } from './MaskCanvas.js';
import { OverlayControls } from './OverlayControls.js';
import { ReviewHeader } from './ReviewHeader.js';
import { mayCall } from '../../../shared/roles.js';
import { HandoffActions } from '../team/HandoffActions.js';
import { HandoffBanner } from '../team/HandoffBanner.js';
import { ReadersSection } from '../team/ReadersSection.js';
import { StatusBar, useCursorReadout } from './StatusBar.js';
import { ThresholdControl } from './ThresholdControl.js';
import { ToolBar } from './ToolBar.js';
import { UncertaintyControls } from './UncertaintyControls.js';
import { UncertaintyLayer } from './UncertaintyLayer.js';
import { useAutosave } from './useAutosave.js';
import { EditNotice } from './EditNotice.js';
import { KeptDrafts } from './KeptDrafts.js';
import { HistorySection } from './HistorySection.js';
import { useEditLease } from './useEditLease.js';
import { useKeptDrafts } from './useKeptDrafts.js';
import { offerWords, useUndeliveredEdit } from './useUndeliveredEdit.js';
import { useDisplayImage } from './useDisplayImage.js';
import { useFillGuard } from './useFillGuard.js';
import { useApproveGuard } from './useApproveGuard.js';
import { useFittedView } from './useFittedView.js';
import { useListNavigation } from './useListNavigation.js';
import { useOverlay } from './useOverlay.js';
import { usePrediction } from './usePrediction.js';
import { useOutsidePrediction } from './useOutsidePrediction.js';
import { wayToHeldPrediction } from './predictionRefresh.js';
import { NewerPredictionNotice } from './NewerPredictionNotice.js';
import { useReviewFlow } from './useReviewFlow.js';
import { useShownMark } from './useShownMark.js';
import { useToolSettings } from './useToolSettings.js';
import { useUncertainty } from './useUncertainty.js';
import { useViewerCommands } from './useViewerCommands.js';
import { useViewerDocument } from './useViewerDocument.js';
import { useViewerKeys } from './useViewerKeys.js';
import { ViewerPanel } from './ViewerPanel.js';
import { MeasurementLayer } from './MeasurementLayer.js';
import { MeasurementsPanel } from './MeasurementsPanel.js';
import { useMeasurements } from './useMeasurements.js';
import './measurements.css';
import { anatomyNote, avNote } from './anatomyNote.js';

export interface ViewerProps {
  imageId: string;
  list: ImageSummary[];
  onNavigate: (imageId: string) => void;
  onClose: () => void;
}

export function Viewer({ imageId, list, onNavigate, onClose }: ViewerProps) {
  const { model, account, notify, report } = useApp();
  // Team mode: annotators hand their drafts over instead of approving (the server refuses it anyway).
  const mayApprove = !account || mayCall(account.role, 'approveMask');
  // One editor per image: without the lease, after a refused save, or while a kept draft is shown, nothing is edited.
  const kept = useKeptDrafts(imageId);
  const staleRef = useRef<() => void>(() => {});
  const lease = useEditLease(imageId, () => staleRef.current());
  const readOnly = lease.view.readOnly || kept.active;
  const viewerDoc = useViewerDocument(imageId, readOnly, list.find((i) => i.id === imageId) ?? null);
  const { image, doc, status, loadError, threshold, setThreshold, review, setReview } = viewerDoc;
  // The holder saved, or the lease came back: show main's masks (not over a refusal or a kept draft on screen).
  staleRef.current = () => {
    // An image erased meanwhile is gone: the open-image watcher closes the viewer and says so.
    if (!kept.active)
      viewerDoc.reloadMasks().catch((err: unknown) => {
        if (!(err instanceof RpcError && err.code === 'not-found')) report(err);
      });
  };
  const { view, setView, onSize, fitted, fit, actual, focus } = useFittedView(image);
  useShownMark(imageId, fitted, doc, image, view);
  const { index, current, go } = useListNavigation(list, imageId, onNavigate, doc !== null && image !== null);
  const { display, filter, setFilter } = useDisplayImage(image);
  const overlay = useOverlay(doc);
  const tools = useToolSettings();
  // Labels and the disc are edited only where they can be seen: hiding the A/V layer puts their tools away (a click
  // would relabel a vessel or move the disc unseen). An effect, so that a V pressed right after R still counts.
  const { tool, setTool } = tools;
  useEffect(() => {
    if (!overlay.av && (AV_TOOLS.has(tool) || tool === 'disc')) setTool('pan');
  }, [overlay.av, tool, setTool]);
  const { saveState, approve, flush, edits, notKept } = useAutosave(doc, imageId, setReview, kept.onRefused);
  const undelivered = useUndeliveredEdit(imageId, viewerDoc, setReview, kept.onRefused);
  // A prediction started before another version was opened (or a save refused) is held while that is on screen: it
  // would rebuild the document under the notice. Going back to the current mask loads it.
  const keptActive = useRef(kept.active);
  keptActive.current = kept.active;
  const versionShown = useRef(kept.preview !== null);
  versionShown.current = kept.preview !== null;
  const { refreshPrediction } = viewerDoc;
  // In turn with the checks for a prediction made elsewhere (set once that hook below has run).
  const ownArrival = useRef<(arrival: () => Promise<void>) => Promise<void>>((arrival) => arrival());
  const predictionArrived = useCallback(async () => {
    if (!keptActive.current) return ownArrival.current(() => refreshPrediction());
    notify(`The new prediction is ready: ${wayToHeldPrediction(versionShown.current)} to see it.`, 'info');
  }, [notify, refreshPrediction]);
  const prediction = usePrediction(imageId, predictionArrived);
  const outside = useOutsidePrediction({
    imageId,
    held: lease.state?.granted ?? false,
    doc,
    previewing: kept.active,
    versionShown: kept.preview !== null,
    predicting: prediction.jobId !== null,
    viewerDoc,
  });
  ownArrival.current = outside.own;
  const newer = kept.active ? null : outside.newer;
  const flow = useReviewFlow({
    imageId,
    list,
    index,
    review,
    approve,
    reloadMasks: viewerDoc.reloadMasks,
    onNavigate,
  });
  const uncertainty = useUncertainty({
    imageId,
    doc,
    predictionVersion: viewerDoc.prediction?.version ?? null,
    predictionVersionId: viewerDoc.prediction?.versionId ?? null,
    summary: current?.quality ?? null,
    focus,
  });
  const measurements = useMeasurements(imageId);
  const [help, setHelp] = useState(false);
  const locked = flow.locked || readOnly;
  const fillGuard = useFillGuard(doc);
  const cancelGesture = useRef<() => boolean>(() => false);
  // An image opened by Approve-and-next, a reload or the worklist: focus in the viewer, not left on the page's body
  // (where a screen reader loses its place), unless a control already has it.
  const viewerRef = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!document.activeElement || document.activeElement === document.body) viewerRef.current?.focus();
  }, [imageId]);
  const unsavedEdit = saveState === 'pending' || saveState === 'saving';
  // Read by several, a reader taken off included: their draft may be the one shown.
  const multiReader = (current?.assignees?.length ?? 0) + (current?.formerReaders?.length ?? 0) > 1;
  const approveGuard = useApproveGuard(doc, flow.approveAndNext, {
    imageId,
    multiReader,
    unsavedEdit,
  });
  const run = useViewerCommands({
    doc,
    locked,
    tool: tools.tool,
    setTool: tools.setTool,
    setRadius: tools.setRadius,
    islandSize: tools.islandSize,
    cleanup: fillGuard.cleanup,
    setMaskVisible: overlay.setMaskVisible,
    setDiff: overlay.setDiff,
    av: overlay.av,
    setAv: overlay.setAv,
    toggleUncertainty: uncertainty.toggle,
    nextUncertain: uncertainty.next,
    toggleMeasurements: measurements.toggle,
    setFilter,
    fit,
    actual,
    go,
    approve: readOnly
      ? async () => notify(lease.view.text ?? 'This mask is read-only here.', 'info')
      : mayApprove
        ? approveGuard.approve
        : async () => notify('Annotators submit for review: a reviewer approves.', 'info'),
    // A prediction arriving would rebuild the document under the other version on show, its notice left standing.
    predict: kept.active
      ? async () =>
          notify(
            kept.preview
              ? 'Another version is shown: go back to the current mask to predict.'
              : 'Your last edit was not saved: load the latest mask to predict.',
            'info',
          )
      : prediction.predict,
    help,
    setHelp,
    cancelGesture: () => cancelGesture.current(),
    onClose,
  });
  const spaceHeld = useViewerKeys(run);
  const { cursorRef, onCursor } = useCursorReadout();

  return (
    <div
      className="viewer"
      data-testid="viewer"
      data-image-id={imageId}
      ref={viewerRef}
      tabIndex={-1}
      role="region"
      aria-label={`Viewer: ${current?.fileName ?? 'image'}`}
    >
      <ToolBar
        tools={tools}
        canUndo={!!doc?.canUndo}
        canRedo={!!doc?.canRedo}
        locked={locked}
        run={run}
        av={{
          shown: overlay.av && !!doc?.labels,
          available: !!doc?.labels,
          note: avNote({
            loaded: !!doc,
            labelled: !!doc?.labels,
            hasPrediction: !!doc?.hasPrediction,
            predictionHasAv: !!viewerDoc.prediction?.hasAv,
            anatomyModels: viewerDoc.anatomyModels,
          }),
        }}
        measurements={measurements.shown}
      />

      <section className="stage">
        <ReviewHeader
          name={current ? current.fileName : imageId}
          review={doc ? review : null}
          busy={flow.busy || readOnly}
          onReopen={(reason) => void flow.reopen(reason)}
          focusViewer={() => viewerRef.current?.focus()}
          submitsForReview={!mayApprove}
        />
        <HandoffBanner handoff={doc ? review?.handoff : null} />
        {notKept && (
          <div className="edit-notice" role="alert" data-testid="edit-not-kept">
            The last edit could not be saved, and this browser could not keep it ({notKept}): it is only in
            this window. Keep the window open until it is saved; closing or reloading it loses the edit.
          </div>
        )}
        {undelivered.edit && (
          <div className="edit-notice" role="status" data-testid="undelivered-edit">
            {offerWords(undelivered.edit)}{' '}
            <button
              data-testid="restore-undelivered"
              disabled={undelivered.busy}
              onClick={() => void undelivered.restore()}
            >
              Save it now
            </button>{' '}
            <button disabled={undelivered.busy} onClick={() => void undelivered.discard()}>
              Discard it
            </button>
          </div>
        )}
        <EditNotice
          lease={lease.view}
          onTakeOver={() => void lease.takeOver()}
          refused={kept.refused}
          onOpenKept={(id) => void kept.open(id, viewerDoc, flush)}
          onLoadLatest={() => void kept.loadLatest(viewerDoc)}
          preview={kept.preview}
          onAdopt={() => void kept.adopt(viewerDoc)}
          busy={kept.busy}
          approved={review?.status === 'approved'}
        />
        {newer && (
          <NewerPredictionNotice
            newer={newer}
            onView={
              !account || mayCall(account.role, 'getMaskVersionPreview')
                ? () => void kept.openVersion(newer.versionId, viewerDoc, flush)
                : undefined
            }
            onTake={() => void outside.own(() => refreshPrediction()).catch(report)}
            onDismiss={outside.dismiss}
            busy={kept.busy || readOnly}
          />
        )}
        {loadError ? (
          <div className="load-error" data-testid="load-error">
            Cannot open this image: {loadError}
          </div>
        ) : doc && image && display ? (
          <MaskCanvas
            doc={doc}
            image={display}
            imageIsPreview={image.preview === true}
            view={view}
            onView={setView}
            onSize={onSize}
            tool={locked ? 'pan' : tools.tool}
            radius={tools.radius}
            maskVisible={overlay.maskVisible}
            opacity={overlay.opacity}
            spaceHeld={spaceHeld}
            onCursor={onCursor}
            onFill={fillGuard.fill}
            avShown={overlay.av && !!doc.labels}
            currentAnatomy={kept.preview?.currentAnatomy}
            cancelGesture={cancelGesture}
            layers={
              <>
                {uncertainty.shown && uncertainty.payload && (
                  <UncertaintyLayer
                    payload={uncertainty.payload}
                    scale={view.scale}
                    doc={doc}
                    edits={edits}
                  />
                )}
                {measurements.shown && measurements.payload && (
                  <MeasurementLayer
                    payload={measurements.payload}
                    scale={view.scale}
                    imageWidth={image.width}
                    hovered={measurements.hovered}
                  />
                )}
              </>
            }
          />
        ) : (
          <div className="loading">Loading…</div>
        )}
        <StatusBar
          name={current ? current.fileName : imageId}
          position={index + 1}
          count={list.length}
          view={view}
          cursorRef={cursorRef}
          saveState={saveState}
          status={status}
          quality={uncertainty.quality}
          ungradable={current?.ungradable ?? null}
          anatomyNote={anatomyNote({
            layerShown: overlay.av,
            anatomy: doc?.anatomy ?? null,
            discRemovedByHand: doc?.discRemovedByHand ?? false,
            eye: current?.laterality ?? null,
          })}
        />
      </section>

      {measurements.shown && (
        <MeasurementsPanel m={measurements} current={current ?? null} onClose={measurements.toggle} />
      )}
      <ViewerPanel
        canApprove={doc !== null && !flow.busy && !readOnly}
        mayApprove={mayApprove}
        approved={flow.locked}
        teamActions={
          <HandoffActions
            imageId={imageId}
            fileName={current ? current.fileName : imageId}
            review={doc ? review : null}
            flush={flush}
            onReview={(r) => {
              setReview(r);
              // Submitted or sent back: who may edit changed now, not at the lease's next beat.
              lease.recheck();
            }}
          />
        }
        canPredict={model !== null && !kept.active && (!account || mayCall(account.role, 'predict'))}
        prediction={prediction}
        hasPrevious={index > 0}
        hasNext={index >= 0 && index < list.length - 1}
        run={run}
        onClose={onClose}
      >
        {account && mayCall(account.role, 'getReaders') && multiReader && (
          <ReadersSection
            imageId={imageId}
            version={current?.updatedAt ?? ''}
            shownVersionId={unsavedEdit ? null : (doc?.parentVersionId ?? null)}
            onApproved={(r) => {
              setReview(r);
              void viewerDoc.reloadMasks();
            }}
          />
        )}
        <OverlayControls overlay={overlay} hasPrediction={!!doc?.hasPrediction} />
        <UncertaintyControls u={uncertainty} hasPrediction={!!doc?.hasPrediction} />
        <ThresholdControl
          doc={doc}
          prediction={viewerDoc.prediction}
          threshold={threshold}
          setThreshold={setThreshold}
        />
        <DisplayControls filter={filter} setFilter={setFilter} />
        <KeptDrafts
          imageId={imageId}
          refresh={kept.refresh}
          onOpen={(id) => void kept.open(id, viewerDoc, flush)}
        />
        {(!account || mayCall(account.role, 'getImageHistory')) && (
          <HistorySection
            imageId={imageId}
            onOpenVersion={(id) => void kept.openVersion(id, viewerDoc, flush)}
          />
        )}
      </ViewerPanel>
      {help && <HelpOverlay onClose={() => setHelp(false)} />}
      {fillGuard.dialog}
      {approveGuard.dialog}
    </div>
  );
}
