// Panel section "History": who did what to this image, when (imported, patient set, drafts, approval, sent back,
// erased parts of its record excepted), read from main's audit log when the section is opened and again whenever
// the image changes while it is open. For reviewers: it names patients' changes and every reader's work. An entry
// that made a mask version can be opened, to look at it over the current mask and restore it.
import { useEffect, useState } from 'react';
import type { HistoryEntry } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';
import { formatWhen } from '../review/reviewLabel.js';

const when = (iso: string): string =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });

export function HistorySection({
  imageId,
  onOpenVersion,
}: {
  imageId: string;
  onOpenVersion: (versionId: string) => void;
}) {
  const { client } = useApp();
  const [open, setOpen] = useState(false);
  const [entries, setEntries] = useState<{ entries: HistoryEntry[]; cut: boolean } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    setEntries(null);
    setError(null);
    if (!open) return;
    let live = true;
    const load = () =>
      client.invoke('getImageHistory', { imageId }).then(
        (r) => {
          if (!live) return;
          setEntries(r);
          setError(null);
        },
        (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
      );
    void load();
    const off = client.on('imagesChanged', ({ imageIds, leaseOnly }) => {
      if (!leaseOnly && imageIds.includes(imageId)) void load();
    });
    return () => {
      live = false;
      off();
    };
  }, [client, imageId, open]);

  return (
    <details
      className="history"
      data-testid="history"
      onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}
    >
      <summary>History</summary>
      {error ? (
        <p className="form-error">{error}</p>
      ) : entries === null ? (
        open && <p className="muted">Reading…</p>
      ) : (
        <ol data-testid="history-entries" tabIndex={0} aria-label="History of this image">
          {entries.cut && <li className="muted">Earlier entries are not shown.</li>}
          {entries.entries.map((e, i) => (
            <li key={i} title={e.action}>
              <time dateTime={e.at}>{when(e.at)}</time>
              {e.until && <time dateTime={e.until}>–{when(e.until)}</time>}{' '}
              <strong className="who">{e.actor}</strong> <span className="what">{e.words}</span>
              {e.versionId && e.compacted && (
                <span
                  className="muted history-compacted"
                  data-testid="history-compacted"
                  data-version={e.version}
                  title="Its pixels were removed to save space (retina db compact); the entry stays"
                >
                  {' '}
                  version {e.version}: pixels compacted {formatWhen(e.compacted)}
                </span>
              )}
              {e.versionId && !e.compacted && (
                <button
                  className="history-open"
                  data-testid="history-open"
                  data-version={e.version}
                  onClick={() => onOpenVersion(e.versionId!)}
                  title="Show this version over the current mask, to restore it"
                >
                  Open version {e.version}
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
    </details>
  );
}
