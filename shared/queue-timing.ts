// The team queue's two heartbeat numbers, shared so the jobs tray can say when a worker has gone quiet: a worker
// beats every HEARTBEAT_SECONDS for each job it runs, and a job whose last beat is older than STALE_AFTER_SECONDS is
// handed back to the queue by the next worker or server that looks (main/jobs/queue/queue-policy.ts says why).
export const HEARTBEAT_SECONDS = 5;
export const STALE_AFTER_SECONDS = 30;
