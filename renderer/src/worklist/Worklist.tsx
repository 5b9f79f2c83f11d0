// Patients' images with status, search and filters, thumbnails, keyboard navigation, import and batch predict.
import { Fragment, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  IMAGE_STATUSES,
  MAX_PAGE_SIZE,
  RpcError,
  type ImageStatus,
  type ImageSummary,
  type PatientSummary,
  type StudySummary,
} from '../../../shared/contract.js';
import { groupImages, hasPatients } from './grouping.js';
import { useApp } from '../appContext.js';
import { PathDialog } from './PathDialog.js';
import { Thumbnail } from './Thumbnail.js';
import { StatusBadge } from './StatusBadge.js';
import { useSampleStudy } from './useSampleStudy.js';

const PAGE = 100;
type ImportKind = 'files' | 'folder' | 'dataset';

export function Worklist({ onOpen }: { onOpen: (imageId: string, list: ImageSummary[]) => void }) {
  const { client, report, notify, imagesVersion, model, openCache } = useApp();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<ImageStatus[]>([]);
  const [items, setItems] = useState<ImageSummary[]>([]);
  const [total, setTotal] = useState(0);
  const [cursor, setCursor] = useState(0);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [asking, setAsking] = useState<ImportKind | null>(null);
  const [loading, setLoading] = useState(false);
  const [grouped, setGrouped] = useState(true);
  const [patients, setPatients] = useState<Map<string, PatientSummary>>(new Map());
  const [studies, setStudies] = useState<Map<string, StudySummary>>(new Map());
  const fileInput = useRef<HTMLInputElement>(null);
  const sample = useSampleStudy(onOpen);
  const tableRef = useRef<HTMLDivElement>(null);

  const load = useCallback(
    async (offset: number) => {
      setLoading(true);
      try {
        const page = await client.invoke('listImages', {
          offset,
          limit: PAGE,
          ...(search ? { search } : {}),
          ...(status.length ? { status } : {}),
        });
        setItems((prev) => (offset === 0 ? page.items : [...prev, ...page.items]));
        setTotal(page.total);
      } catch (err) {
        report(err);
      } finally {
        setLoading(false);
      }
    },
    [client, report, search, status],
  );

  useEffect(() => {
    const t = setTimeout(() => void load(0), 150);
    return () => clearTimeout(t);
  }, [load, imagesVersion]);

  // Names of patients and studies for the group headers (only when some image has a patient).
  const withPatients = hasPatients(items);
  useEffect(() => {
    if (!withPatients) return;
    let cancelled = false;
    const page = { offset: 0, limit: MAX_PAGE_SIZE };
    Promise.all([client.invoke('listPatients', page), client.invoke('listStudies', page)]).then(([p, st]) => {
      if (cancelled) return;
      setPatients(new Map(p.items.map((x) => [x.id, x])));
      setStudies(new Map(st.items.map((x) => [x.id, x])));
    }, report);
    return () => {
      cancelled = true;
    };
  }, [client, report, withPatients, imagesVersion]);

  const view = useMemo(
    () =>
      grouped && withPatients
        ? groupImages(items, patients, studies)
        : { rows: items, headers: new Map<number, never>() },
    [grouped, withPatients, items, patients, studies],
  );
  const rows = view.rows;

  useEffect(() => {
    tableRef.current?.querySelector(`[data-row="${cursor}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [cursor]);

  const startImport = async (kind: ImportKind, path?: string) => {
    try {
      let paths: string[] = path ? [path] : [];
      if (!path) {
        try {
          paths = (await client.invoke('showOpenDialog', { mode: kind === 'files' ? 'files' : 'folder' }))
            .paths;
        } catch (err) {
          if (err instanceof RpcError && err.code === 'unsupported') {
            if (kind === 'files') fileInput.current?.click();
            else setAsking(kind);
            return;
          }
          throw err;
        }
      }
      if (paths.length === 0) return;
      if (kind === 'files') await client.invoke('importFiles', { paths });
      else if (kind === 'folder')
        await client.invoke('importFolder', { path: paths[0], recursive: true, pairMasks: true });
      else await client.invoke('importDataset', { path: paths[0], kind: 'auto' });
      notify('Import started', 'info');
    } catch (err) {
      report(err);
    }
  };

  const uploadFiles = async (list: FileList | null) => {
    if (!list || list.length === 0) return;
    try {
      const files = await Promise.all(
        [...list].map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })),
      );
      await client.invoke('importFiles', { files });
      notify(`Importing ${files.length} file(s)`, 'info');
    } catch (err) {
      report(err);
    }
  };

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
    setCursor(i);
    if (rows[i]) openCache.prefetch([rows[i].id]);
  };

  const onKey = (e: React.KeyboardEvent) => {
    if ((e.target as HTMLElement).tagName === 'INPUT') return;
    if (e.key === 'ArrowDown' || e.key === 'j') select(Math.min(rows.length - 1, cursor + 1));
    else if (e.key === 'ArrowUp' || e.key === 'k') select(Math.max(0, cursor - 1));
    else if (e.key === 'Enter' && rows[cursor]) onOpen(rows[cursor].id, rows);
    else if (e.key === ' ' && rows[cursor]) {
      const id = rows[cursor].id;
      setSelected((s) => {
        const n = new Set(s);
        if (n.has(id)) n.delete(id);
        else n.add(id);
        return n;
      });
    } else return;
    e.preventDefault();
  };

  const toggleStatus = (s: ImageStatus) =>
    setStatus((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]));

  return (
    <div className="worklist" tabIndex={0} onKeyDown={onKey} data-testid="worklist">
      <div className="toolbar">
        <input
          className="search"
          placeholder="Search patient, study or file…"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          data-testid="search"
        />
        {IMAGE_STATUSES.map((s) => (
          <button
            key={s}
            className={`chip ${s} ${status.includes(s) ? 'on' : ''}`}
            onClick={() => toggleStatus(s)}
          >
            {s}
          </button>
        ))}
        {withPatients && (
          <label className="check">
            <input
              type="checkbox"
              checked={grouped}
              onChange={(e) => setGrouped(e.target.checked)}
              data-testid="group-by-patient"
            />
            Group by patient / study
          </label>
        )}
        <span className="spacer" />
        <button onClick={() => void startImport('files')} data-testid="import-files">
          Import files…
        </button>
        <button onClick={() => void startImport('folder')} data-testid="import-folder">
          Import folder…
        </button>
        <button onClick={() => void startImport('dataset')} data-testid="import-dataset">
          Import dataset…
        </button>
        <button
          className="primary"
          disabled={!model || selected.size === 0}
          onClick={() => void predict([...selected])}
          data-testid="predict-selected"
          title={model ? '' : 'No active model'}
        >
          Predict selected ({selected.size})
        </button>
        <input
          ref={fileInput}
          type="file"
          multiple
          hidden
          accept=".png,.jpg,.jpeg,.tif,.tiff,.ppm,.gif,.dcm,application/dicom"
          onChange={(e) => void uploadFiles(e.target.files)}
        />
      </div>
      <div className="table" ref={tableRef}>
        <div className="thead">
          <span />
          <span />
          <span>Image</span>
          <span>Patient</span>
          <span>Size</span>
          <span>Eye</span>
          <span>Status</span>
          <span>Updated</span>
        </div>
        {rows.map((im, i) => (
          <Fragment key={im.id}>
            {view.headers.get(i) && (
              <div className="group-header" data-testid="group-header">
                <strong>{view.headers.get(i)?.patient}</strong>
                <span>{view.headers.get(i)?.study}</span>
                <span className="muted">{view.headers.get(i)?.count} image(s)</span>
              </div>
            )}
            <div
              data-row={i}
              data-testid="image-row"
              data-image-id={im.id}
              className={`trow ${i === cursor ? 'cursor' : ''}`}
              onClick={() => select(i)}
              onDoubleClick={() => onOpen(im.id, rows)}
            >
              <input
                type="checkbox"
                checked={selected.has(im.id)}
                onChange={(e) =>
                  setSelected((s) => {
                    const n = new Set(s);
                    if (e.target.checked) n.add(im.id);
                    else n.delete(im.id);
                    return n;
                  })
                }
                onClick={(e) => e.stopPropagation()}
              />
              <Thumbnail imageId={im.id} version={im.updatedAt} />
              <span className="name">{im.fileName}</span>
              <span>{im.patientId ? (patients.get(im.patientId)?.pseudonym ?? im.patientId) : '–'}</span>
              <span>
                {im.width}×{im.height}
              </span>
              <span>{im.laterality ?? '–'}</span>
              <StatusBadge image={im} />
              <span className="muted">{im.updatedAt.slice(0, 16).replace('T', ' ')}</span>
            </div>
          </Fragment>
        ))}
        {items.length === 0 && !loading && (
          <div className="empty">
            {search || status.length ? (
              'No images match.'
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
          {total} image(s){loading ? ' · loading…' : ''}
          {sample.opening ? ' · segmenting the sample, it opens when ready…' : ''}
        </span>
        <span className="muted">↑/↓ move · Enter open · Space select</span>
      </div>
      {asking && (
        <PathDialog
          title={asking === 'folder' ? 'Import a folder' : 'Import a dataset (DRIVE, STARE or generic)'}
          onCancel={() => setAsking(null)}
          onSubmit={(p) => {
            const kind = asking;
            setAsking(null);
            void startImport(kind, p);
          }}
        />
      )}
    </div>
  );
}
