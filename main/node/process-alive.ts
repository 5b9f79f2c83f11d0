// Whether a process of this machine is running: a live retrain's owner, a backup that left a snapshot behind.

/** Signal 0 tests for the process without sending anything; EPERM means it runs as another user. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
