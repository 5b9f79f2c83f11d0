// The support log: where an unexpected failure (a bug, not a refusal the user can act on) leaves its stack for a
// support engineer while the user reads one plain line. It never grows past two files of MAX_BYTES, and holds no
// patient data by default: what an error message quotes (paths, file names, quoted values) is replaced by a
// placeholder, and the stack keeps only its code locations.
import {
  closeSync,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { userHome } from './user-state.js';

/** A log file this size is kept as `<file>.1` (replacing the one before) and a new one begun. */
export const MAX_LOG_BYTES = 1024 * 1024;

/** The per-user log file: $RETINA_LOG_DIR, else the platform's place for an application's logs. */
export function defaultLogPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const { home, usable } = userHome(env, platform);
  const dir = usable(env.RETINA_LOG_DIR);
  if (dir) return join(dir, 'retina.log');
  let base: string;
  if (platform === 'win32')
    base = join(usable(env.LOCALAPPDATA) ?? join(home, 'AppData', 'Local'), 'RetinaStudio', 'logs');
  else if (platform === 'darwin') base = join(home, 'Library', 'Logs', 'RetinaStudio');
  else base = join(usable(env.XDG_STATE_HOME) ?? join(home, '.local', 'state'), 'RetinaStudio');
  return join(base, 'retina.log');
}

/**
 * An error message without what it may quote of a patient's data: absolute paths, file names and quoted values
 * (a file name often is the patient's name) become <path>, <file> and <value>, and DICOM person names <name>.
 */
export function redactMessage(message: string): string {
  return (
    message
      // A quote opens after a non-word character and closes before one, so an apostrophe inside a name
      // ('O'Brien') or a word (can't) neither ends nor begins a value; one left open runs to the end.
      .replace(/(?<!\w)(["'`])(?:[\s\S]*?\1(?!\w)|[\s\S]*)/g, '<value>')
      .replace(/\u201c[^\u201d]*\u201d?|\u2018[^\u2019]*\u2019?|\u00ab[^\u00bb]*\u00bb?/g, '<value>')
      // An absolute path runs (spaces and all) to the end, or to a comma, colon and space, or bracket after it.
      .replace(/(?:\b[A-Za-z]:\\|\\\\|(?<![\w.])\/)[^\n,;()]*?(?=$|\n|[,;()]|: )/g, '<path>')
      // A file name may hold spaces ('Jane Doe OD.jpg', 'photos/Jane Doe/od.jpg'), and where it begins cannot be
      // told: its whole clause goes, from the clause's start (line, bracket, comma, semicolon, ': ') to its end.
      // A DICOM person name (DOE^JANE, VAN DER BERG^ANNA MARIA): the token holding a caret, with the capitalised
      // words on either side of it (such names are mostly written in capitals, and may hold spaces).
      .replace(
        /(?:\p{Lu}[\p{Lu}\p{M}'.-]* )*[^\s^,;:()<>]*(?:\^[^\s^,;:()<>]*)+(?: \p{Lu}[\p{Lu}\p{M}'.-]*(?![\p{Ll}\p{N}]))*/gu,
        '<name>',
      )
      .replace(
        /(^|[\n,;()[\]]|: )([ \t]*)(?:(?!: )[^\n,;()[\]<>])*?[^\s,;:()<>/\\]+\.[A-Za-z][A-Za-z0-9]{1,4}\b/gu,
        '$1$2<file>',
      )
  );
}

/**
 * The stack's code locations only ("at fn (file:line:col)"). Its first lines repeat the message, whose own lines
 * may look like frames ("  at Jane Doe"): read after it.
 */
function stackFrames(err: Error): string[] {
  const stack = err.stack ?? '';
  const at = err.message ? stack.indexOf(err.message) : -1;
  const frames = at < 0 ? stack : stack.slice(at + err.message.length);
  return frames.split('\n').filter((line) => /^\s+at\s/.test(line));
}

/** The entry for one unexpected failure: when, where (the request), the error's kind and redacted message, its stack. */
export function logEntry(where: string, err: unknown, at = new Date()): string {
  const e = err instanceof Error ? err : new Error(String(err));
  const lines = [`${at.toISOString()} unexpected error in ${where}: ${e.name}: ${redactMessage(e.message)}`];
  lines.push(...stackFrames(e));
  if (e.cause instanceof Error)
    lines.push(`  caused by ${e.cause.name}: ${redactMessage(e.cause.message)}`, ...stackFrames(e.cause));
  return lines.join('\n') + '\n';
}

export class DiagnosticsLog {
  constructor(readonly file: string) {}

  /** Appends an entry; true when it was written (a log that cannot be written never fails the caller). */
  write(where: string, err: unknown): boolean {
    try {
      mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
      let size = 0;
      try {
        size = statSync(this.file).size;
      } catch {
        // no log yet
      }
      if (size >= MAX_LOG_BYTES) {
        try {
          renameSync(this.file, `${this.file}.1`);
        } catch {
          // Another process rotated it first (the file is gone), or the older file cannot be replaced (held open
          // on Windows): the entry is written all the same, and the next one tries again.
        }
      }
      const fd = openSync(this.file, 'a', 0o600);
      try {
        // The mode is given only to a new file: one already there (made by hand, copied) is made private too.
        if ((fstatSync(fd).mode & 0o077) !== 0) fchmodSync(fd, 0o600);
        writeSync(fd, logEntry(where, err));
      } finally {
        closeSync(fd);
      }
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * The user's line for an unexpected failure, once its stack is in the log: `message` naming where the details
 * are (unchanged when the log cannot be written).
 */
export function reportUnexpected(log: DiagnosticsLog, where: string, err: unknown, message: string): string {
  return log.write(where, err) ? `${message} (details for support in ${log.file})` : message;
}

/** An error as it crosses to another thread: a structured clone of an Error keeps its stack but not its name. */
export interface ThrownError {
  name: string;
  message: string;
  stack: string;
}

export function thrownError(err: unknown): ThrownError {
  const e = err instanceof Error ? err : new Error(String(err));
  return { name: e.name, message: e.message, stack: e.stack ?? '' };
}

/** The Error a ThrownError was, for the log on this side. */
export function revived(t: ThrownError): Error {
  const e = new Error(t.message);
  e.name = t.name;
  e.stack = t.stack;
  return e;
}
