// Two visits of the same eye side by side: each photograph with its zones and the vessels of the first visit's
// CRAE/CRVE under the same names (A1..V6) on both, and the table of every measure at both visits with the change,
// its interval and a flag where it exceeds the measurements' own uncertainty.
import { useEffect, useState } from 'react';
import type { VisitComparisonPayload, VisitSide } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { Modal } from '../Modal.js';
import {
  changeLines,
  comparisonMarks,
  comparisonNotes,
  sameVesselLines,
  vesselChangeLines,
} from '../measure/compareView.js';
import { zoneRings, type VesselMark } from '../measure/measureView.js';

/** A photograph's thumbnail as an object URL, revoked when no longer shown. */
function usePhotoUrl(imageId: string): string | null {
  const { client, report } = useApp();
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    let u: string | null = null;
    let live = true;
    void client.invoke('getImageThumbnail', { imageId, maxSize: 1024 }).then((t) => {
      if (!live) return;
      u = URL.createObjectURL(new Blob([t.bytes as BlobPart], { type: t.mime }));
      setUrl(u);
    }, report);
    return () => {
      live = false;
      if (u) URL.revokeObjectURL(u);
    };
  }, [client, imageId, report]);
  return url;
}

function VisitFigure({ side, marks, role }: { side: VisitSide; marks: VesselMark[]; role: string }) {
  const url = usePhotoUrl(side.imageId);
  const r = Math.max(4, Math.max(side.width, side.height) / 70);
  return (
    <figure data-testid={`visit-${role}`} data-image-id={side.imageId}>
      <figcaption>
        {role === 'earlier' ? 'Earlier' : 'Later'}: {side.visitDate ?? 'date unknown'} · {side.fileName}
      </figcaption>
      <svg
        viewBox={`0 0 ${side.width} ${side.height}`}
        role="img"
        aria-label={`${role} visit with its vessels`}
      >
        {url && <image href={url} x={0} y={0} width={side.width} height={side.height} />}
        {zoneRings(side.measurements).map((z) =>
          [z.inner, z.outer].map((radius) => (
            <circle
              key={`${z.zone}${radius}`}
              cx={z.x}
              cy={z.y}
              r={radius}
              fill="none"
              stroke="#fff"
              strokeOpacity={0.7}
              strokeWidth={r / 4}
              strokeDasharray={z.zone === 'C' ? `${r} ${r}` : undefined}
            />
          )),
        )}
        {marks.map((v) => (
          <g key={v.name} className={`mark ${v.kind}`} data-testid={`${role}-vessel-${v.name}`}>
            <circle cx={v.x} cy={v.y} r={r} fill="none" strokeWidth={r / 3} />
            <text x={v.x + r * 1.3} y={v.y} fontSize={r * 2.2}>
              {v.name}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

/** The earlier visit's zone-B vessels one by one: which narrowed or widened, which the summary cannot say. */
function VesselChanges({ p }: { p: VisitComparisonPayload }) {
  const rows = vesselChangeLines(p);
  if (rows.length === 0) return null;
  return (
    <table className="vessel-changes" data-testid="vessel-changes">
      <caption>The same vessels at both visits (zone B, the earlier visit's names)</caption>
      <thead>
        <tr>
          <th scope="col">Vessel</th>
          <th scope="col">{p.earlier.visitDate ?? 'Earlier'}</th>
          <th scope="col">{p.later.visitDate ?? 'Later'}</th>
          <th scope="col">Change in width</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.name} data-testid={`vessel-change-${r.name}`}>
            <th scope="row">
              {r.name} ({r.kind === 'artery' ? 'arteriole' : 'venule'})
            </th>
            <td>{r.earlier}</td>
            <td className={r.later === 'not found again' ? 'absent' : undefined}>{r.later}</td>
            <td className={r.measured ? undefined : 'absent'}>{r.change}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function CompareVisits({
  imageId,
  otherImageId,
  onClose,
}: {
  imageId: string;
  otherImageId: string;
  onClose: () => void;
}) {
  const { client } = useApp();
  const [p, setP] = useState<VisitComparisonPayload | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setP(null);
    setError(null);
    client.invoke('compareVisits', { imageId, otherImageId }).then(
      (r) => live && setP(r),
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [client, imageId, otherImageId]);
  const marks = p ? comparisonMarks(p) : null;
  return (
    <Modal labelledBy="compare-title" onClose={onClose} className="compare-visits" testId="compare-visits">
      <header>
        <h2 id="compare-title">Two visits compared</h2>
        <button type="button" onClick={onClose} aria-label="Close the comparison">
          ×
        </button>
      </header>
      {error && (
        <p className="error" role="alert">
          Cannot compare: {error}
        </p>
      )}
      {!p && !error && <p className="muted">Measuring both visits…</p>}
      {p && marks && (
        <>
          {comparisonNotes(p).map((n) => (
            <p key={n} className="note" data-testid="compare-note">
              {n}
            </p>
          ))}
          <div className="sides">
            <VisitFigure side={p.earlier} marks={marks.earlier} role="earlier" />
            <VisitFigure side={p.later} marks={marks.later} role="later" />
          </div>
          <table>
            <thead>
              <tr>
                <th scope="col">Measure</th>
                <th scope="col">{p.earlier.visitDate ?? 'Earlier'}</th>
                <th scope="col">{p.later.visitDate ?? 'Later'}</th>
                <th scope="col">Change (95% interval)</th>
              </tr>
            </thead>
            <tbody>
              {changeLines(p).map((l) => (
                <tr
                  key={l.key}
                  data-testid={`change-${l.key}`}
                  data-exceeds={l.exceeds ? 'true' : 'false'}
                  className={l.exceeds ? 'exceeds' : undefined}
                >
                  <th scope="row">{l.label}</th>
                  <td>{l.earlier}</td>
                  <td>{l.later}</td>
                  <td>
                    {l.change !== null ? (
                      <>
                        {l.change}
                        {l.interval && <span className="interval"> ({l.interval})</span>}
                        {l.exceeds && <strong className="flag"> exceeds the measurement interval</strong>}
                        {l.note && <span className="absent"> ({l.note})</span>}
                      </>
                    ) : (
                      <span className="absent">{l.note}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {sameVesselLines(p).map((line) => (
            <p key={line} className="note" data-testid="same-vessels">
              {line}
            </p>
          ))}
          <VesselChanges p={p} />
        </>
      )}
    </Modal>
  );
}
