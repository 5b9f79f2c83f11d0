// A renderer's failure (a view that threw while rendering, a promise nobody awaited) reported for the support log:
// the user read its message in the window, the stack is what support needs. The page is not trusted to keep the
// log small or clean: reports are rate-limited, the stack keeps only well-formed code locations (a script URL,
// line and column: nothing a page could smuggle a patient's name into), and the message is scrubbed as any is.
import type { RendererErrorReport } from '../../shared/contract.js';
import type { DiagnosticsLog } from '../node/diagnostics-log.js';

/** Reports logged per window of RATE_WINDOW_MS, all windows together; the rest are dropped (a render loop). */
export const RATE_LIMIT = 10;
const RATE_WINDOW_MS = 60_000;
const MAX_FRAMES = 30;
/** "    at fn (https://host/assets/index-abc.js:1:234)", "    at https://host/x.js:1:2" or an evaluated script's
 * "<anonymous>:1:2", nothing else. */
const FRAME =
  /^\s+at (?:[\w$.<>[\] ]{1,200} \()?(?:[a-z][a-z0-9+.-]*:\/\/[\w.:@[\]/%+~-]{1,300}|<anonymous>):\d+:\d+\)?$/;

export class RendererErrorLog {
  private readonly times: number[] = [];

  constructor(
    private readonly log: DiagnosticsLog,
    private readonly now: () => number = Date.now,
  ) {}

  /** The log file when the report was written, else null (rate-limited, or the log cannot be written). */
  report(r: RendererErrorReport): string | null {
    const t = this.now();
    while (this.times.length > 0 && t - this.times[0] >= RATE_WINDOW_MS) this.times.shift();
    if (this.times.length >= RATE_LIMIT) return null;
    this.times.push(t);
    const err = new Error(r.message);
    err.name = /^\w{1,60}$/.test(r.name) ? r.name : 'Error';
    const frames = (r.stack ?? '')
      .split('\n')
      .filter((line) => FRAME.test(line))
      .slice(0, MAX_FRAMES);
    err.stack = [`${err.name}: ${r.message}`, ...frames].join('\n');
    return this.log.write(`the renderer (${r.where === 'view' ? 'a view' : 'unhandled'})`, err)
      ? this.log.file
      : null;
  }
}
