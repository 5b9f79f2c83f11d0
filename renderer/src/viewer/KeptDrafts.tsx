// Panel section "Kept drafts": edits of this image whose save was refused (someone saved first, or another window
// held the image), kept by main with their pixels. Each opens over the current mask, to compare and adopt.
import { useEffect, useState } from 'react';
import type { KeptDraftSummary } from '../../../shared/contract.js';
import { clockTime } from '../../../shared/edit-lease.js';
import { useApp } from '../appContext.js';

const REASONS = {
  stale: 'someone saved first',
  lease: 'another window was editing',
  'handed-off': 'the image had been handed on',
} as const;

export function KeptDrafts(props: { imageId: string; refresh: number; onOpen: (id: string) => void }) {
  const { client, imagesVersion } = useApp();
  const { imageId, refresh, onOpen } = props;
  const [drafts, setDrafts] = useState<KeptDraftSummary[]>([]);
  useEffect(() => {
    let cancelled = false;
    client
      .invoke('listKeptDrafts', { imageId })
      .then((r) => cancelled || setDrafts(r.drafts.filter((d) => d.adoptedVersionId === null)))
      .catch(() => cancelled || setDrafts([]));
    return () => {
      cancelled = true;
    };
  }, [client, imageId, refresh, imagesVersion]);
  if (drafts.length === 0) return null;
  return (
    <section className="kept-drafts" aria-label="Kept drafts" data-testid="kept-drafts">
      <h4>Kept drafts</h4>
      <ul>
        {drafts.map((d) => (
          <li key={d.id}>
            <span>
              #{d.id} · {d.author} {clockTime(d.createdAt)} · {REASONS[d.reason]}
            </span>
            <button onClick={() => onOpen(d.id)} aria-label={`Open kept draft #${d.id}`}>
              Open
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
