// Progress bars with ETA on stderr, so stdout stays clean for --json output.

export interface ProgressBar {
  update(done: number, detail?: string): void;
  /** The last line: at `done` (all by default; fewer when the work was stopped). */
  finish(detail?: string, done?: number): void;
}

function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** A bar that redraws in place on a TTY and prints at most one line every few seconds otherwise (logs, CI). */
export function createProgressBar(
  label: string,
  total: number,
  opts: {
    stream?: NodeJS.WriteStream;
    quiet?: boolean;
    /** When the work began (Date.now()), where that was before the first counted item: what `elapsed` counts from. */
    startedAt?: number;
  } = {},
): ProgressBar {
  const stream = opts.stream ?? process.stderr;
  const start = Date.now();
  const clock = opts.startedAt ?? start;
  let lastPrint = 0;
  // The last update, and whether a log got its line: finish at the same count repeats neither.
  let last: { done: number; detail: string | undefined; printed: boolean } | null = null;
  const render = (done: number, detail: string | undefined, final: boolean): void => {
    if (opts.quiet) return;
    const now = Date.now();
    if (final && last?.done === done && detail === undefined) {
      // The update that reached this count printed it on a log already ('3/3 100% ... sample.JPG'); a terminal's
      // redraw keeps the item it named.
      if (last.printed && !stream.isTTY) return;
      detail = last.detail;
    }
    if (!final) last = { done, detail, printed: false };
    if (!final && !stream.isTTY && now - lastPrint < 5000) return;
    if (!final && stream.isTTY && now - lastPrint < 100) return;
    if (last && !final) last.printed = true;
    lastPrint = now;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    // The ETA from the items' own pace: time spent before the first (loading) is not spent again.
    const counted = (now - start) / 1000;
    const eta = frac > 0 ? (counted * (1 - frac)) / frac : NaN;
    const elapsed = (now - clock) / 1000;
    const width = 24;
    const filled = Math.round(frac * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const text =
      `${label} [${bar}] ${done}/${total} ${(frac * 100).toFixed(0)}% ` +
      `elapsed ${formatDuration(elapsed)} ETA ${final ? '00:00' : formatDuration(eta)}` +
      (detail ? ` ${detail}` : '');
    if (stream.isTTY) stream.write(`\r\x1b[2K${text}${final ? '\n' : ''}`);
    else stream.write(`${text}\n`);
  };
  return {
    update: (done, detail) => render(done, detail, false),
    finish: (detail, done = total) => render(done, detail, true),
  };
}
