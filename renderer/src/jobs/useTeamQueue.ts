// The team queue as the tray shows it: fetched once, then kept current by queueChanged events. Null for one user
// (the app's own jobs need nothing more than the job list).
import { useEffect, useState } from 'react';
import type { QueueJob } from '../../../shared/contract.js';
import type { RetinaClient } from '../../../shared/transport.js';

export function useTeamQueue(
  client: RetinaClient,
  report: (err: unknown) => void,
): ReadonlyMap<string, QueueJob> | null {
  const [queue, setQueue] = useState<ReadonlyMap<string, QueueJob> | null>(null);
  useEffect(() => {
    const take = (s: { team: boolean; jobs: QueueJob[] }): void =>
      setQueue(s.team ? new Map(s.jobs.map((j) => [j.jobId, j])) : null);
    client.invoke('getQueue', {}).then(take, report);
    return client.on('queueChanged', take);
  }, [client, report]);
  return queue;
}
