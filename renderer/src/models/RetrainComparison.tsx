// The result of a retrain: the promotion gate's verdict in plain words (with its interval, the images it judged
// on and what would help), candidate and active model side by side on the same held-out images (pooled and per
// image), the overlays of the images where they differ most, and the decision: Promote (one click when the
// gate found the candidate better, otherwise only with a reason) or Keep the active model; then each anatomy task's
// part of the same retrain (AnatomyParts), decided the same way.
import { useCallback, useEffect, useState } from 'react';
import type { MetricsBrief, RetrainRunReport } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { AnatomyParts } from './AnatomyParts.js';
import { CandidateDecision } from './CandidateDecision.js';
import { Verdict } from './Verdict.js';

const ROWS: [keyof MetricsBrief, string][] = [
  ['f1', 'F1 (Dice)'],
  ['aucRoc', 'AUC-ROC'],
  ['sensitivity', 'Sensitivity'],
  ['specificity', 'Specificity'],
  ['precision', 'Precision'],
  ['threshold', 'Threshold'],
];

function signed(x: number): string {
  return `${x >= 0 ? '+' : ''}${x.toFixed(4)}`;
}

const changeTone = (d: number): string => (d > 0 ? 'up' : d < 0 ? 'down' : '');

function Overlay({ runId, imageId, caption }: { runId: string; imageId: string; caption: string }) {
  const { client } = useApp();
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let u: string | null = null;
    let alive = true;
    client.invoke('getRetrainOverlay', { runId, imageId }).then(
      (img) => {
        u = URL.createObjectURL(new Blob([img.bytes as BlobPart], { type: img.mime }));
        if (alive) setUrl(u);
      },
      () => {},
    );
    return () => {
      alive = false;
      if (u) URL.revokeObjectURL(u);
    };
  }, [client, runId, imageId]);
  return (
    <figure className="overlay" data-testid="overlay">
      {url ? <img src={url} alt={caption} /> : <div className="overlay-empty muted">loading…</div>}
      <figcaption>{caption}</figcaption>
    </figure>
  );
}

export function RetrainComparison({ runId, onDecided }: { runId: string; onDecided: () => void }) {
  const { client, report } = useApp();
  const [run, setRun] = useState<RetrainRunReport | null>(null);

  const load = useCallback(
    () => client.invoke('getRetrainRun', { runId }).then(setRun, report),
    [client, report, runId],
  );
  useEffect(() => {
    void load();
    // A promotion or rollback elsewhere changes what this candidate is: never show a stale "is active".
    return client.on('activeModelChanged', () => void load());
  }, [client, load]);

  const decided = async () => {
    onDecided();
    await load();
  };

  if (!run) return <section className="comparison muted">Loading run {runId}…</section>;
  const anatomy = <AnatomyParts parts={run.anatomy ?? []} onDecided={decided} />;
  if (!run.heldOut || !run.candidate) {
    return (
      <section className="comparison" data-testid="comparison">
        <strong>
          Run {run.runId}: {run.status}
        </strong>{' '}
        <span className="muted" data-testid="comparison-reason">
          {run.vesselSkipped ? `Vessel model not retrained: ${run.vesselSkipped}` : run.reason}
        </span>
        {anatomy}
      </section>
    );
  }
  const cand = run.candidate;
  const better = run.decision?.better ?? false;
  const pending = cand.status === 'candidate';
  const images = [...run.heldOut.images].sort((a, b) => b.changedPixels - a.changedPixels);

  return (
    <section className="comparison" data-testid="comparison" data-better={String(better)}>
      <div className="cmp-head">
        <strong>
          Run {run.runId}: {run.parent.name} → {cand.name}
        </strong>
        <span className="muted">
          {run.data.train} new + {run.data.replay} replay images trained, {run.data.validation} validation,{' '}
          {run.data.heldOut} held out · seed {run.seed}
          {run.trainSeconds !== null ? ` · ${run.trainSeconds.toFixed(0)} s training` : ''}
        </span>
      </div>
      <table className="cmp-table" data-testid="comparison-table">
        <thead>
          <tr>
            {/* The pooled scores are the judged images' (every one in runs recorded before the gate marked them). */}
            <th>
              Held-out ({run.heldOut.images.filter((im) => im.usable !== false).length} judged images, FOV,
              pooled)
            </th>
            <th>Active: {run.parent.name}</th>
            <th>Candidate: {cand.name}</th>
            <th>Change</th>
          </tr>
        </thead>
        <tbody>
          {ROWS.map(([k, label]) => (
            <tr key={k}>
              <td>{label}</td>
              <td>{run.heldOut!.active[k].toFixed(4)}</td>
              <td>{run.heldOut!.candidate[k].toFixed(4)}</td>
              <td
                className={k === 'f1' ? changeTone(run.heldOut!.candidate.f1 - run.heldOut!.active.f1) : ''}
              >
                {signed(run.heldOut!.candidate[k] - run.heldOut!.active[k])}
              </td>
            </tr>
          ))}
          {run.benchmark && (
            <tr>
              <td>Benchmark F1 ({run.benchmark.images} images)</td>
              <td>{run.benchmark.active.f1.toFixed(4)}</td>
              <td>{run.benchmark.candidate.f1.toFixed(4)}</td>
              <td>{signed(run.benchmark.candidate.f1 - run.benchmark.active.f1)}</td>
            </tr>
          )}
        </tbody>
      </table>
      {run.decision && <Verdict verdict={run.decision} heldOut={run.data.heldOut} />}
      <h4>Per image</h4>
      <table className="cmp-table per-image" data-testid="per-image">
        <thead>
          <tr>
            <th>Image</th>
            <th>Active F1</th>
            <th>Candidate F1</th>
            <th>Change</th>
            <th>Pixels that changed</th>
            <th>Reference</th>
          </tr>
        </thead>
        <tbody>
          {images.map((im) => (
            <tr key={im.imageId}>
              <td>{im.fileName}</td>
              <td>{im.active.f1.toFixed(4)}</td>
              <td>{im.candidate.f1.toFixed(4)}</td>
              <td className={changeTone(im.deltaF1)}>{signed(im.deltaF1)}</td>
              <td>{im.changedPixels}</td>
              <td className="muted">
                {im.usable === undefined
                  ? '—'
                  : im.usable
                    ? 'corrected'
                    : "the model's own prediction (not counted)"}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h4>
        Where they differ most{' '}
        <span className="muted">(white: both · green: candidate only · magenta: active only)</span>
      </h4>
      <div className="overlays">
        {images
          .filter((im) => im.overlay)
          .map((im) => (
            <Overlay
              key={im.imageId}
              runId={run.runId}
              imageId={im.imageId}
              caption={`${im.fileName}: ${signed(im.deltaF1)} F1, ${im.changedPixels} px`}
            />
          ))}
      </div>
      {pending ? (
        <CandidateDecision
          candidate={cand}
          better={better}
          parentName={run.parent.name}
          onDecided={decided}
        />
      ) : (
        <div className="muted" data-testid="candidate-status">
          {cand.name} is {cand.status}
          {cand.lastPromotion?.reason ? ` (${cand.lastPromotion.reason})` : ''}
        </div>
      )}
      {anatomy}
    </section>
  );
}
