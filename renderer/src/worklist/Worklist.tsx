// Patients' images with status, search and filters (status, eye), grouped by patient and visit, thumbnails,
// keyboard navigation, selection, import, batch predict, clinical details and erasure.
import { windowClientId } from '../viewer/windowClientId.js';
import { Fragment, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ImageSummary, RequestChannel } from '../../../shared/contract.js';
import { mayCall } from '../../../shared/roles.js';
import { AssignDialog } from '../team/AssignDialog.js';
import { AgreementDialog } from '../team/AgreementDialog.js';
import { useApp } from '../appContext.js';
import { ClinicalDialog } from './ClinicalDialog.js';
import { EraseDialog } from './EraseDialog.js';
import { erasureDoneMessage } from './erasureText.js';
import { groupImages, hasPatients, type Grouped } from './grouping.js';
import { ImageRow } from './ImageRow.js';
import { allState, toggleAll, toggleOne } from './selection.js';
import { useImport } from './useImport.js';
import { useSampleStudy } from './useSampleStudy.js';
import { WorklistFilters, type Filters } from './WorklistFilters.js';
import { isFiltered, isGrouped } from './worklistQuery.js';
import { readRows } from './readRows.js';
import { rowAnnouncement } from './rowAnnouncement.js';
import { useWorklistExport } from '../export/useWorklistExport.js';
import { ReportLink } from '../viewer/MeasurementActions.js';

const PAGE = 100;

/** What a screen reader says for the row at `i` (none when there is no such row). */
const describeRow = (rows: ImageSummary[], i: number, total: number): string =>
  rows[i] ? rowAnnouncement(rows[i], i, Math.max(total, rows.length)) : '';

/** Elements that handle Enter, Space and the arrows themselves. */
const OWN_KEYS =
  'button, a[href], input, select, textarea, summary, [role="button"], [role="dialog"], [contenteditable]';

function SelectAll(props: { state: 'none' | 'some' | 'all'; onToggle: () => void; disabled: boolean }) {
  return (
    <input
      type="checkbox"
      aria-label="Select all images shown"
      data-testid="select-all"
      checked={props.state === 'all'}
      disabled={props.disabled}
      ref={(el) => {
        if (el) el.indeterminate = props.state === 'some';
      }}
      onChange={props.onToggle}
    />
  );
}

export function Worklist({
  onOpen,
  filters,
  onFilters,
  lastViewed = null,
}: {
  onOpen: (imageId: string, list: ImageSummary[]) => void;
  /** Kept by the shell, so the viewer and back (or a reload) return to the list as it was filtered. */
  filters: Filters;
  onFilters: (update: (f: Filters) => Filters) => void;
  /** The image the viewer last showed: highlighted when the worklist opens again, with the keys on the list. */
  lastViewed?: string | null;
}) {
  const { client, report, notify, imagesVersion, model, openCache, account } = useApp();
  // Team mode shows each role only what it may do (the server enforces the same table).
  const may = (channel: RequestChannel) => !account || mayCall(account.role, channel);
  const [assigning, setAssigning] = useState<ImageSummary[] | null>(null);
  const [agreement, setAgreement] = useState(false);
  const [items, setItems] = useState<ImageSummary[]>([]);
  const [total, setTotal] = useState(0);
  // The highlighted row, by image: a list that regroups or reloads (a patient ID changed) keeps it on the same image,
  // not the same position, so the next Enter or Clinical details acts on the image the user chose.
  const [cursorId, setCursorId] = useState<string | null>(lastViewed);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [editing, setEditing] = useState<string[] | null>(null);
  const [erasing, setErasing] = useState<string[] | null>(null);
  // Loading until the first answer: "No images yet" (and its sample button) is never shown over a full study.
  const [loading, setLoading] = useState(true);
  // Read out when the highlighted row moves (see rowAnnouncement).
  const [announcement, setAnnouncement] = useState('');
  const imports = useImport();
  const sample = useSampleStudy(onOpen);
  const tableRef = useRef<HTMLDivElement>(null);
  const grouped = isGrouped(filters);

  // Loads overlap when changes come quickly: only the latest one's answer is shown (an earlier one may come last).
  const latestLoad = useRef(0);
  /** Loads `count` rows from `offset` (in pages the server allows); offset 0 replaces the list, else extends it. */
  const load = useCallback(
    async (offset: number, count = PAGE) => {
      const seq = ++latestLoad.current;
      setLoading(true);
      try {
        const { rows, total } = await readRows(client, filters, offset, count, windowClientId());
        if (seq !== latestLoad.current) return;
        setItems((prev) => (offset === 0 ? rows : [...prev, ...rows]));
        setTotal(total);
      } catch (err) {
        if (seq === latestLoad.current) report(err);
      } finally {
        if (seq === latestLoad.current) setLoading(false);
      }
    },
    [client, report, filters],
  );

  // Changes that come quickly (typing a search) load once they pause; the first load does not wait. When only the
  // study changed (a prediction done, an import, a save: imagesVersion), as many rows as are loaded are read again,
  // so a user who paged down is not thrown back to the first page (and their ticked rows out of sight) each time.
  const loadedOnce = useRef(false);
  const loadedFor = useRef(load);
  const shownRows = useRef(0);
  shownRows.current = items.length;
  useEffect(() => {
    const sameList = loadedFor.current === load && loadedOnce.current;
    loadedFor.current = load;
    const count = sameList ? Math.max(PAGE, shownRows.current) : PAGE;
    const t = setTimeout(() => void load(0, count), loadedOnce.current ? 150 : 0);
    loadedOnce.current = true;
    return () => clearTimeout(t);
  }, [load, imagesVersion]);

  const withPatients = hasPatients(items);
  const view: Grouped = useMemo(
    () =>
      grouped && withPatients
        ? groupImages(items, items.length >= total)
        : { rows: items, headers: new Map() },
    [grouped, withPatients, items, total],
  );
  const rows = view.rows;
  const cursor = Math.max(
    0,
    rows.findIndex((r) => r.id === cursorId),
  );
  const worklistRef = useRef<HTMLDivElement>(null);
  // Back from the viewer: the keys act on the list at once (focus would otherwise be left on nothing).
  useEffect(() => {
    if (lastViewed) worklistRef.current?.focus();
  }, [lastViewed]);
  // Focus that landed on the list before its rows came (back from the viewer) reads the row out once they come.
  const announceWhenLoaded = useRef(false);
  useEffect(() => {
    if (!announceWhenLoaded.current || !rows[cursor]) return;
    announceWhenLoaded.current = false;
    if (document.activeElement === worklistRef.current) setAnnouncement(describeRow(rows, cursor, total));
  }, [rows, cursor, total]);
  const shownIds = useMemo(() => rows.map((r) => r.id), [rows]);
  const exporter = useWorklistExport((id) => onOpen(id, rows));

  useEffect(() => {
    tableRef.current?.querySelector(`[data-row="${cursor}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [cursor]);

  const predict = async (ids: string[]) => {
    if (ids.length === 0) return;
    try {
      await client.invoke('predict', { imageIds: ids });
    } catch (err) {
      report(err);
    }
  };

  // The row the user moves to is likely opened next: fetch what the viewer needs meanwhile.
  const select = (i: number) => {
    setCursorId(rows[i]?.id ?? null);
    setAnnouncement(describeRow(rows, i, total));
    if (rows[i]) openCache.prefetchOpen(rows[i].id, rows[i]);
  };

  // Clinical details edit the checked images, else the row under the cursor.
  const clinicalTargets = selected.size > 0 ? [...selected] : rows[cursor] ? [rows[cursor].id] : [];

  const onKey = (e: React.KeyboardEvent) => {
    // The list's keys are for the list: a focused button, link, dropdown or field keeps its own Enter, Space and
    // arrows (they opened the highlighted image, or moved it, instead of filtering, importing or exporting).
    if (editing || (e.target as HTMLElement).closest(OWN_KEYS)) return;
    if (e.key === 'ArrowDown' || e.key === 'j') select(Math.min(rows.length - 1, cursor + 1));
    else if (e.key === 'ArrowUp' || e.key === 'k') select(Math.max(0, cursor - 1));
    else if (e.key === 'Enter' && rows[cursor]) onOpen(rows[cursor].id, rows);
    else if (e.key === ' ' && rows[cursor]) setSelected((s) => toggleOne(s, rows[cursor].id));
    else return;
    e.preventDefault();
  };

  return (
    <div
      className="worklist"
      tabIndex={0}
      onKeyDown={onKey}
      onFocus={(e) => {
        // Landing on the list (by Tab, or back from the viewer) reads out the highlighted row: focus is on the list,
        // not a row, so a screen reader said nothing of the row the keys act on until an arrow moved it.
        if (e.target !== e.currentTarget) return;
        if (rows[cursor]) setAnnouncement(describeRow(rows, cursor, total));
        else announceWhenLoaded.current = true;
      }}
      onContextMenu={(e) => {
        // From the keyboard (the context-menu key, Shift+F10) the event is the list's own: the highlighted row's
        // menu opens beside that row (a right-click on a row has its own handler).
        if (e.target !== e.currentTarget || !rows[cursor]) return;
        e.preventDefault();
        const at = tableRef.current?.querySelector(`[data-row="${cursor}"]`)?.getBoundingClientRect();
        exporter.rowMenuAt(rows[cursor], (at?.left ?? 0) + 40, (at?.bottom ?? 0) - 4);
      }}
      data-testid="worklist"
      ref={worklistRef}
    >
      <div className="toolbar">
        <WorklistFilters
          filters={filters}
          onChange={(f) => onFilters(() => f)}
          canGroup={withPatients}
          team={account !== null}
        />
        <span className="spacer" />
        {may('importFiles') && (
          <>
            <button onClick={() => void imports.start('files')} data-testid="import-files">
              Import files…
            </button>
            <button onClick={() => void imports.start('folder')} data-testid="import-folder">
              Import folder…
            </button>
            <button onClick={() => void imports.start('dataset')} data-testid="import-dataset">
              Import dataset…
            </button>
          </>
        )}
        {account && may('assignImages') && (
          <button
            disabled={clinicalTargets.length === 0}
            onClick={() => setAssigning(items.filter((i) => clinicalTargets.includes(i.id)))}
            data-testid="assign-open"
            title="Choose the annotators of the selected images"
          >
            Assign…
          </button>
        )}
        {account && may('getAgreement') && (
          <button onClick={() => setAgreement(true)} data-testid="agreement-open">
            Agreement…
          </button>
        )}
        {may('setClinicalInfo') && (
          <button
            disabled={clinicalTargets.length === 0}
            onClick={() => setEditing(clinicalTargets)}
            data-testid="clinical-details"
            title="Patient, eye, visit, camera and field angle of the selected images"
          >
            Clinical details…
          </button>
        )}
        {may('eraseImages') && (
          <button
            disabled={clinicalTargets.length === 0}
            onClick={() => setErasing(clinicalTargets)}
            data-testid="erase-open"
            title="Erase the selected images for good (a patient's request, a photograph of the wrong person)"
          >
            Erase…
          </button>
        )}
        {may('exportImages') && (
          <button
            onClick={() => exporter.open([...selected])}
            title={selected.size ? `Export the ${selected.size} selected image(s)` : 'Export every image'}
            data-testid="export-open"
          >
            Export…
          </button>
        )}
        {may('predict') && (
          <button
            className="primary"
            disabled={!model || selected.size === 0}
            onClick={() => void predict([...selected])}
            data-testid="predict-selected"
            title={model ? '' : 'No active model'}
          >
            Predict selected ({selected.size})
          </button>
        )}
      </div>
      <div className="sr-only" aria-live="polite" data-testid="row-announcement">
        {announcement}
      </div>
      <div className="table" ref={tableRef}>
        <div role="table" aria-label="Images">
          <div className="thead" role="row">
            <span role="columnheader">
              <SelectAll
                state={allState(selected, shownIds)}
                disabled={shownIds.length === 0}
                onToggle={() => setSelected((s) => toggleAll(s, shownIds))}
              />
            </span>
            <span role="columnheader" aria-label="Thumbnail" />
            <span role="columnheader">Image</span>
            <span role="columnheader">Patient</span>
            <span role="columnheader">Visit</span>
            <span role="columnheader">Size</span>
            <span role="columnheader">Eye</span>
            <span role="columnheader">Status</span>
            <span role="columnheader" aria-sort={filters.order === 'review-next' ? 'ascending' : undefined}>
              <button
                className={`th-sort ${filters.order === 'review-next' ? 'on' : ''}`}
                aria-pressed={filters.order === 'review-next'}
                onClick={() => onFilters((f) => ({ ...f, order: 'review-next' }))}
                title="The F1 the prediction is expected to score against a careful annotator. Click: review next (lowest first, approved last)"
                data-testid="sort-expected-f1"
              >
                Expected F1
              </button>
            </span>
            <span
              role="columnheader"
              title="Mean probability, inside the field of view, that the predicted mask is wrong"
            >
              Uncertainty
            </span>
            <span role="columnheader" title="Vessel ends that stop just short of another piece">
              Gaps
            </span>
            <span role="columnheader">Updated</span>
          </div>
          {rows.map((im, i) => {
            const header = view.headers.get(i);
            return (
              <Fragment key={im.id}>
                {header && (
                  <div className="group-header" data-testid="group-header" role="row">
                    <span role="rowheader" aria-colspan={12} className="group-cell">
                      <strong>{header.patient}</strong>
                      <span>{header.visit}</span>
                      <span className="muted">
                        {header.count}
                        {header.more ? '+' : ''} image(s)
                      </span>
                      {im.studyId && im.patientId !== '' && (
                        <ReportLink
                          target={{ studyId: im.studyId }}
                          label="Report"
                          name={`Report of the visit ${header.visit} of ${header.patient}`}
                        />
                      )}
                    </span>
                  </div>
                )}
                <ImageRow
                  image={im}
                  index={i}
                  isCursor={i === cursor}
                  selected={selected.has(im.id)}
                  onSelect={(on) => setSelected((s) => toggleOne(s, im.id, on))}
                  onClick={() => select(i)}
                  onOpen={() => onOpen(im.id, rows)}
                  onContextMenu={(e) => exporter.rowMenu(e, im)}
                />
              </Fragment>
            );
          })}
        </div>
        {items.length === 0 && !loading && (
          <div className="empty">
            {isFiltered(filters) ? (
              'No images match.'
            ) : !may('importFiles') ? (
              // An annotator imports nothing: their worklist is what a reviewer assigns them.
              <p data-testid="nothing-assigned">
                No images are assigned to you yet: a reviewer assigns them, and they appear here.
              </p>
            ) : (
              <>
                <p>No images yet. Import files, a folder or a dataset, or start with the sample.</p>
                <button className="primary" data-testid="open-sample" onClick={() => void sample.open()}>
                  Open the sample study
                </button>
              </>
            )}
          </div>
        )}
        {items.length < total && (
          <button className="more" onClick={() => void load(items.length)}>
            Load more ({total - items.length})
          </button>
        )}
      </div>
      <div className="statusbar">
        <span>
          {total} image(s){selected.size > 0 ? ` · ${selected.size} selected` : ''}
          {loading ? ' · loading…' : ''}
          {sample.opening ? ' · segmenting the sample, it opens when ready…' : ''}
        </span>
        <span className="muted">↑/↓ move · Enter open · Space select</span>
      </div>
      {exporter.element}
      {imports.elements}
      {agreement && <AgreementDialog onClose={() => setAgreement(false)} />}
      {assigning && (
        <AssignDialog
          images={assigning}
          onClose={() => setAssigning(null)}
          onAssigned={(images) => {
            setAssigning(null);
            notify(`Assigned ${images.length} image(s)`, 'info');
          }}
        />
      )}
      {erasing && (
        <EraseDialog
          imageIds={erasing}
          patients={[
            ...new Set(erasing.map((id) => items.find((i) => i.id === id)?.patientId ?? '').filter(Boolean)),
          ]}
          onClose={() => setErasing(null)}
          onErased={(done) => {
            setErasing(null);
            setSelected(new Set());
            notify(erasureDoneMessage(done), 'info');
          }}
        />
      )}
      {editing && (
        <ClinicalDialog
          imageIds={editing}
          fileNames={editing.map((id) => items.find((i) => i.id === id)?.fileName ?? id)}
          onClose={() => setEditing(null)}
          onSaved={(images) => {
            setEditing(null);
            notify(`Clinical details saved for ${images.length} image(s)`, 'info');
          }}
        />
      )}
    </div>
  );
}
