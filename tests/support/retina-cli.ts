// The CLI as a user runs it, in a child process from the checkout's sources: its exit code and what it printed.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..');
const CLI = join(REPO, 'main', 'cli', 'main.ts');

export interface CliRun {
  code: number;
  /** The signal that ended it (a test that kills it), else null. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function retinaCli(...args: string[]): CliRun {
  return retinaCliWith({}, ...args);
}

/** The same with more node options (a preloaded module) and environment. */
export function retinaCliWith(
  opts: {
    nodeArgs?: string[];
    env?: NodeJS.ProcessEnv;
    /** Kills a command that should have ended (a server that started instead of refusing). */
    timeoutMs?: number;
  },
  ...args: string[]
): CliRun {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...(opts.nodeArgs ?? []), CLI, ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { ...process.env, ...opts.env },
    timeout: opts.timeoutMs,
  });
  return { code: r.status ?? -1, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `retina args` and sends it Ctrl+C (SIGINT) the first time its stderr matches `when`. */
export function retinaInterruptedWhen(
  args: string[],
  when: RegExp,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: REPO });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (!sent && when.test(stderr)) sent = child.kill('SIGINT');
  });
  return new Promise((resolve) => child.on('exit', (c) => resolve({ code: c ?? -1, stdout, stderr })));
}
