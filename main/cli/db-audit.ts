// `retina db audit`: the audit log as people ask it: who approved this mask, who changed this patient's details,
// what did anna do yesterday, who erased what. Every change the store makes writes an entry in the same
// transaction; this only reads them (oldest of the selection first, as a trail is read).
import {
  auditChainOf,
  auditRowsOfImages,
  auditRowsOfPatient,
  getImage,
  listAudit,
  wasErased,
  type AuditEntry,
  type AuditFilter,
  type ChainReport,
  type Store,
} from '../store/index.js';
import { patientByPseudonym } from './patient-arg.js';
import { plural } from '../../shared/plural.js';
import { isCalendarDate } from '../../shared/clinical-dates.js';

export interface AuditOptions {
  images?: number[];
  patients: string[];
  by?: string;
  action?: string;
  since?: string;
  limit?: string;
}

export class AuditUsageError extends Error {}

export const AUDIT_HELP = `  audit                     who did what, when: the audit log, oldest of the selection first
    --images IDS            these images (with their mask versions and kept drafts; erased ones too)
    --patient ID            one patient (their visits and images)
    --by NAME               entries by this user
    --action A              this action, or a family of them (mask, mask.approved, image.erase...)
    --since DATE            from this date (YYYY-MM-DD, its start in UTC) or time (UTC unless it says) on
    --limit N               the newest N entries of the selection (default 200)`;

const SINCE_TIME =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,3})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?$/;

/**
 * --since as the audit log's own times are written (toISOString: milliseconds, Z), so that they compare as text:
 * a date is its first instant in UTC, a time is that instant (UTC when it names no zone). Compared as typed,
 * `09:58:28Z` came after the entry at 09:58:28.312Z ('.' sorts before 'Z'), and 2026-02-30 was taken.
 */
export function sinceOf(typed: string): string {
  const v = typed.trim();
  const usage = () =>
    new AuditUsageError(
      `--since takes a date (2026-03-01) or a UTC time (2026-03-01T14:00:00Z), not '${typed}'`,
    );
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) {
    if (!isCalendarDate(v)) throw usage();
    return `${v}T00:00:00.000Z`;
  }
  const time = SINCE_TIME.exec(v);
  if (!time || !isCalendarDate(time[1])) throw usage();
  const at = new Date(time[5] ? v : `${v}Z`);
  if (Number.isNaN(at.getTime())) throw usage();
  return at.toISOString();
}

function filterOf(store: Store, opts: AuditOptions): AuditFilter {
  if (opts.patients.length > 1) throw new AuditUsageError('audit takes one --patient');
  if (opts.patients.length === 1 && opts.images?.length)
    throw new AuditUsageError('audit takes --patient or --images, not both');
  const since = opts.since === undefined ? undefined : sinceOf(opts.since);
  const limit = opts.limit === undefined ? 200 : Number(opts.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
    throw new AuditUsageError('--limit takes a whole number from 1 to 100000');
  // An erased image's own entries stay (who erased it, when), so an id that is no image now is still asked about.
  for (const id of opts.images ?? []) if (!wasErased(store, id)) getImage(store, id);
  const anyOf =
    opts.patients.length === 1
      ? auditRowsOfPatient(store, patientByPseudonym(store, opts.patients[0]))
      : opts.images?.length
        ? auditRowsOfImages(store, opts.images)
        : undefined;
  return { anyOf, actor: opts.by, actionPrefix: opts.action, since, limit };
}

function line(e: AuditEntry): string {
  const what = e.entityId === null ? e.entity : `${e.entity.replace('_', ' ')} ${e.entityId}`;
  const details = e.details === null ? '' : `  ${JSON.stringify(e.details)}`;
  return `${e.at}  ${e.actor}  ${e.action}  ${what}${details}`;
}

/** Whether the audit log's hash chain verifies, in words (audit-chain.ts). */
export function auditChainText(chain: ChainReport | null): string {
  if (chain === null)
    return 'audit trail not chained yet (a study made by an earlier RetinaStudio: upgrading it chains it)';
  if (!chain.ok && chain.firstBreak)
    return (
      `audit trail BROKEN: ${chain.firstBreak.message}` +
      (chain.breaks > 1 ? ` (${plural(chain.breaks, 'row')} in all do not verify)` : '')
    );
  return chain.head
    ? `audit trail verifies (${plural(chain.rows, 'entry', 'entries')}; the last, #${chain.head.row}, hashes to ${chain.head.hash})`
    : 'audit trail verifies (no entries yet)';
}

/** Whether the trail still holds a head noted earlier (`db check --audit-head`), in words. */
export function notedHeadText(noted: { hash: string; row: number | null }): string {
  return noted.row !== null
    ? `the noted entry ${noted.hash.slice(0, 12)}… is still entry #${noted.row}: nothing up to it was rewritten since`
    : `the noted entry ${noted.hash.slice(0, 12)}… is no longer in the audit trail: the trail up to it was ` +
        'rewritten since it was noted (by hand, or resealed by an erasure: db audit --action audit.reseal shows when)';
}

/** The selected entries on stdout; whether the whole trail verifies on stderr (stdout stays the entries alone). */
export function runAudit(
  store: Store,
  opts: AuditOptions,
  emit: (data: unknown, text: string) => void,
  note: (text: string) => void,
): number {
  const entries = listAudit(store, filterOf(store, opts)).reverse();
  emit(entries, entries.length ? entries.map(line).join('\n') : 'no audit entries match');
  note(auditChainText(auditChainOf(store)));
  return 0;
}
