import { useEffect, useState } from 'react';
import type { ImageSummary } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';

/**
 * "Open the sample study": main imports the bundled CC0 photograph and segments it; the viewer opens once the
 * prediction is there, so a first-time user sees a vessel overlay, not an empty mask. Lives in the worklist, not
 * in its button: the import fills the worklist, which removes the empty-state button while the job still runs.
 */
export function useSampleStudy(onOpen: (imageId: string, list: ImageSummary[]) => void) {
  const { client, report, jobs } = useApp();
  const [pending, setPending] = useState<{ imageId: string; jobId: string | null } | null>(null);
  const job = pending?.jobId ? jobs.get(pending.jobId) : undefined;
  const finished =
    pending !== null &&
    (pending.jobId === null || (job !== undefined && job.state !== 'queued' && job.state !== 'running'));

  useEffect(() => {
    if (!pending || !finished) return;
    setPending(null);
    if (job && job.state !== 'done') return; // the jobs tray says why
    client
      .invoke('getImageInfo', { imageId: pending.imageId })
      .then((summary) => onOpen(summary.id, [summary]), report);
  }, [client, finished, job, onOpen, pending, report]);

  const open = async () => {
    try {
      const s = await client.invoke('openSampleStudy', {});
      setPending({ imageId: s.imageId, jobId: s.predictJobId });
    } catch (err) {
      report(err);
    }
  };
  return { open, opening: pending !== null };
}
