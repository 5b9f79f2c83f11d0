// Predict for this one image: starts the job, follows it through the shared job list, and reloads the masks
// when it is done (a failed or cancelled job is reported by the jobs tray).
import { useCallback, useEffect, useState } from 'react';
import type { JobInfo } from '../../../shared/contract.js';
import { useApp } from '../appContext.js';

export interface Prediction {
  /** The running prediction's job id, null when none. */
  jobId: string | null;
  job: JobInfo | undefined;
  predict: () => Promise<void>;
  cancel: () => void;
}

export function usePrediction(imageId: string, reloadMasks: () => Promise<unknown>): Prediction {
  const { client, report, jobs } = useApp();
  const [jobId, setJobId] = useState<string | null>(null);

  const predict = useCallback(async () => {
    try {
      const started = await client.invoke('predict', { imageIds: [imageId] });
      setJobId(started.jobId);
    } catch (err) {
      report(err);
    }
  }, [client, imageId, report]);

  const job = jobId ? jobs.get(jobId) : undefined;
  useEffect(() => {
    if (!job || job.state === 'queued' || job.state === 'running') return;
    setJobId(null);
    if (job.state === 'done') reloadMasks().catch(report);
  }, [job, reloadMasks, report]);

  const cancel = useCallback(() => {
    if (jobId) client.invoke('cancelJob', { jobId }).catch(report);
  }, [client, jobId, report]);

  return { jobId, job, predict, cancel };
}
