// The team queue as the tray shows it: fetched, then kept current by queueChanged events (fetched again after
// the event socket reconnects). Null for one user (the app's own jobs need nothing more than the job list).
import { useEffect, useState } from 'react';
import type { QueueJob } from '../../../shared/contract.js';
import type { RetinaClient } from '../../../shared/transport.js';

export function useTeamQueue(
  client: RetinaClient,
  report: (err: unknown) => void,
  /** False until the caller is known, and for a role that may not see the queue. */
  enabled: boolean,
): ReadonlyMap<string, QueueJob> | null {
  const [queue, setQueue] = useState<ReadonlyMap<string, QueueJob> | null>(null);
  useEffect(() => {
    if (!enabled) return;
    const take = (s: { team: boolean; jobs: QueueJob[] }): void =>
      setQueue(s.team ? new Map(s.jobs.map((j) => [j.jobId, j])) : null);
    const fetchQueue = () => void client.invoke('getQueue', {}).then(take, report);
    fetchQueue();
    const off = client.on('queueChanged', take);
    // Changes sent while the event socket was down were missed: fetch it again once it is back.
    const offResync = client.onResync?.(fetchQueue);
    return () => {
      off();
      offResync?.();
    };
  }, [client, report, enabled]);
  return queue;
}
