// When the jobs tray opens and closes by itself: it opens for a job that failed or could not import some files
// (those stay until dismissed, and the user should see why), and closes a few seconds after the last running
// job finished cleanly. Otherwise only the user opens or closes it; a new job shows in the summary alone, so
// the layout does not move under the user's hand.
import { useEffect, useRef, useState } from 'react';
import type { JobInfo } from '../../../shared/contract.js';
import { needsAttention, type JobsDigest } from './jobsDigest.js';

/** Long enough to see the last job finish, short enough not to linger. */
const AUTO_COLLAPSE_MS = 2500;

export function useTrayOpen(
  jobs: ReadonlyMap<string, JobInfo>,
  digest: JobsDigest,
): [boolean, (open: boolean) => void] {
  const [open, setOpen] = useState(false);
  const opened = useRef(new Set<string>());
  const wasActive = useRef(0);

  useEffect(() => {
    let fresh = false;
    for (const j of jobs.values()) {
      if (needsAttention(j) && !opened.current.has(j.jobId)) {
        opened.current.add(j.jobId);
        fresh = true;
      }
    }
    if (fresh) setOpen(true);
    const endedCleanly = wasActive.current > 0 && digest.active === 0 && digest.attention === 0;
    wasActive.current = digest.active;
    if (!endedCleanly) return;
    const timer = setTimeout(() => setOpen(false), AUTO_COLLAPSE_MS);
    return () => clearTimeout(timer);
  }, [jobs, digest]);

  // An empty tray has nothing to show: it is closed, and its summary is gone too.
  return [open && digest.text !== '', setOpen];
}
