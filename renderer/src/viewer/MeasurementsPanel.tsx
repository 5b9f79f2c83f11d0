// The Measurements panel beside the image: every measure with its unit and 95% interval (its definition as the
// row's tooltip and description, or shown under it), or why it is absent; where the unit comes from; whose optic
// disc the zones are drawn around; whether the photograph is gradable (an ungradable one's measures are all
// withheld); what may make the values wrong (a disc cut off by the field's edge); and the vessels CRAE and CRVE
// took, each highlighted on the image while the pointer is over its row; the report of the image or its visit, and
// the comparison with another visit of the same eye.
import { discNote, measureLines, namedVessels, scaleNote } from '../measure/measureView.js';
import type { ImageSummary } from '../../../shared/contract.js';
import { CompareVisits } from './CompareVisits.js';
import { ReportActions, VisitPicker } from './MeasurementActions.js';
import type { Measurements } from './useMeasurements.js';
import { Fragment, useId, useState } from 'react';
import { gradabilityLine } from '../../../shared/measure/gradability.js';

export function MeasurementsPanel({
  m,
  current,
  onClose,
}: {
  m: Measurements;
  /** The image shown, for its visit's report and the other visits of its eye. */
  current: ImageSummary | null;
  onClose: () => void;
}) {
  const { payload, error, updating } = m;
  const [comparing, setComparing] = useState<string | null>(null);
  // Each definition is the row's tooltip, its description for a screen reader, and shown under it on request
  // (a tooltip alone is out of reach of the keyboard and of a touch screen).
  const [definitions, setDefinitions] = useState(false);
  const idPrefix = useId();
  return (
    <aside
      className="measurements"
      aria-label="Measurements"
      data-testid="measurements-panel"
      data-updates={m.updates}
      data-version={payload?.versionId ?? ''}
      data-updating={updating ? 'true' : 'false'}
    >
      <header>
        <h3>Measurements</h3>
        <button onClick={onClose} aria-label="Close the measurements panel" title="Close (Shift+M)">
          ×
        </button>
      </header>
      {error && (
        <p className="error" role="alert">
          Cannot measure: {error}
        </p>
      )}
      {!payload && !error && <p className="muted">{updating ? 'Measuring…' : 'No mask to measure yet.'}</p>}
      {payload && (
        <>
          <p className="muted" data-testid="measured-version">
            {payload.kind === 'prediction'
              ? 'Prediction'
              : payload.kind === 'draft'
                ? 'Draft'
                : 'Approved mask'}{' '}
            v{payload.version}
            {updating ? ' · updating…' : ''}
          </p>
          <ReportActions imageId={payload.imageId} studyId={current?.studyId ?? null} />
          {current && <VisitPicker current={current} onPick={setComparing} />}
          {comparing && (
            <CompareVisits
              imageId={payload.imageId}
              otherImageId={comparing}
              onClose={() => setComparing(null)}
            />
          )}
          <p className="scale" data-testid="measure-scale">
            {scaleNote(payload)}
          </p>
          <p
            className={payload.measures.disc ? 'muted' : 'trust'}
            role="note"
            data-testid={payload.measures.disc ? 'measure-disc' : 'measure-no-disc'}
          >
            {discNote(payload)}
          </p>
          {payload.measures.quality && (
            <p
              className={
                payload.measures.quality.gradable && payload.measures.quality.warnings.length === 0
                  ? 'muted'
                  : 'trust'
              }
              role="note"
              data-testid="measure-quality"
              data-gradable={payload.measures.quality.gradable ? 'true' : 'false'}
            >
              Photograph: {gradabilityLine(payload.measures.quality)}
            </p>
          )}
          {payload.measures.notes.map((note) => (
            <p key={note} className="trust" role="note" data-testid="measure-note">
              {note}
            </p>
          ))}
          <button
            className="definitions-toggle"
            aria-pressed={definitions}
            onClick={() => setDefinitions((on) => !on)}
            data-testid="measure-definitions"
          >
            {definitions ? 'Hide definitions' : 'Show definitions'}
          </button>
          <table>
            <tbody>
              {measureLines(payload).map((line) => (
                <Fragment key={line.key}>
                  <tr
                    data-testid={`measure-${line.key}`}
                    title={line.help}
                    aria-describedby={`${idPrefix}-${line.key}`}
                  >
                    <th scope="row">{line.label}</th>
                    <td>
                      {line.value !== null ? (
                        <>
                          <span className="value">{line.value}</span>
                          {/* A space, not only CSS margin: read aloud, the value and its interval ran together. */}
                          {line.interval && (
                            <>
                              {' '}
                              <span className="interval">95% {line.interval}</span>
                            </>
                          )}
                        </>
                      ) : (
                        <span className="absent">not measured: {line.absent}</span>
                      )}
                    </td>
                  </tr>
                  <tr className="definition" hidden={!definitions}>
                    <td colSpan={2} id={`${idPrefix}-${line.key}`} data-testid={`definition-${line.key}`}>
                      {line.help}
                    </td>
                  </tr>
                </Fragment>
              ))}
            </tbody>
          </table>
          <h4>Vessels of CRAE / CRVE (zone B)</h4>
          <ul className="vessels" onPointerLeave={() => m.setHovered(null)}>
            {namedVessels(payload).map((v) => (
              <li
                key={v.name}
                className={`${v.kind}${m.hovered === v.name ? ' on' : ''}`}
                data-testid={`vessel-${v.name}`}
                tabIndex={0}
                onPointerEnter={() => m.setHovered(v.name)}
                onFocus={() => m.setHovered(v.name)}
                onBlur={() => m.setHovered(null)}
              >
                <b>{v.name}</b> {v.width}
              </li>
            ))}
          </ul>
        </>
      )}
    </aside>
  );
}
