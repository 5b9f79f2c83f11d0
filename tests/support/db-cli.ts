// `retina db …` run in this process (runDbCommand), its output captured: quicker than a child process, and the same
// code the CLI runs.
import { runDbCommand } from '../../main/cli/db.js';

export async function retinaDb(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDbCommand(args, {
    stdout: { write: (x: string) => out.push(x) > 0 },
    stderr: { write: (x: string) => err.push(x) > 0 },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
