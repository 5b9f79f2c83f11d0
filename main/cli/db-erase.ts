// `retina db erase`: removes images, a visit or a patient for good (a patient's request, a photograph of the
// wrong person). Without --yes it only says what would go; with it, it erases and then names what erasure cannot
// reach, so nobody believes the data gone from places it is not.
import { readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { plural } from '../../shared/plural.js';
import { patientByPseudonym, visitDateArg } from './patient-arg.js';
import {
  eraseRecords,
  listStudies,
  NotFoundError,
  planErasure,
  removeErasedFiles,
  type ErasurePlan,
  type ErasureTarget,
  type Store,
} from '../store/index.js';

export interface EraseOptions {
  images?: number[];
  /** Patient IDs (pseudonyms) as the clinic typed them. */
  patients: string[];
  /** With exactly one patient: only that patient's visits of this date. */
  visitDate?: string;
  yes: boolean;
  /** Only finish what earlier erasures left: files not yet removed, a database not yet compacted. */
  finish?: boolean;
}

export class EraseUsageError extends Error {}

export const ERASE_HELP = `  erase                     erase images, a visit or a patient for good: rows, masks, drafts, files no
                            other image uses, and what the audit log said about them (it keeps who did what,
                            when). Visits and patients left without images go too. Backups, exports and
                            models trained on the masks are not reached (named after)
    --patient ID            the patient with this ID, all visits (repeatable)
    --visit-date DATE       with one --patient: only that patient's visit(s) of this date (YYYY-MM-DD)
    --images IDS            these image ids (comma-separated)
    --yes                   erase; without it, only say what would go
    --finish                finish an erasure cut short (files not yet removed, the database not compacted)`;

function targetOf(store: Store, opts: EraseOptions): ErasureTarget {
  if (opts.visitDate !== undefined && opts.patients.length !== 1)
    throw new EraseUsageError('--visit-date needs exactly one --patient');
  visitDateArg(opts.visitDate);
  if (!opts.images?.length && opts.patients.length === 0)
    throw new EraseUsageError('erase needs --patient ID or --images IDS');
  const patients = opts.patients.map((p) => patientByPseudonym(store, p));
  if (opts.visitDate === undefined) return { images: opts.images, patients };
  const visits = listStudies(store, patients[0]).filter((s) => s.studyDate === opts.visitDate);
  if (visits.length === 0)
    throw new NotFoundError(`patient ${opts.patients[0]} has no visit on ${opts.visitDate}`);
  return { images: opts.images, studies: visits.map((s) => s.id) };
}

function describe(plan: ErasurePlan): string {
  const parts = [
    plural(plan.images.length, 'image'),
    plural(plan.maskVersions, 'mask version'),
    ...(plan.keptDrafts > 0 ? [plural(plan.keptDrafts, 'kept draft')] : []),
    plural(plan.studies.length, 'visit'),
  ];
  const who = plan.patients.length
    ? `; patient${plan.patients.length > 1 ? 's' : ''} ${plan.patients.map((p) => p.pseudonym).join(', ')}`
    : '';
  return `${parts.join(', ')}${who} (images ${plan.images.join(', ')})`;
}

/** The study's own copies that keep what was erased: pre-upgrade copies beside a SQLite file. */
function copiesBeside(store: Store): string[] {
  if (store.kind !== 'sqlite') return [];
  const dir = dirname(store.path);
  const prefix = `${basename(store.path)}.v`;
  try {
    return readdirSync(dir)
      .filter((f) => f.startsWith(prefix) && f.endsWith('.bak'))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** What erasure did not reach, said plainly. */
function notReached(store: Store, plan: ErasurePlan): string[] {
  const lines = [
    'not reached: backups made with `retina db backup`, exported folders and reports, and copies made outside RetinaStudio',
  ];
  const copies = copiesBeside(store);
  if (copies.length > 0)
    lines.push(`  copies of this study kept when it was upgraded still hold them: ${copies.join(', ')}`);
  if (plan.trainedModels.length > 0)
    lines.push(
      '  models trained on their masks keep what they learned (erasure does not reach into weights), and ' +
        'their cards and manifests name the images they were trained on: ' +
        `${plan.trainedModels.map((m) => `${m.name} (id ${m.id})`).join(', ')}; ` +
        'retrain without them and retire these models if that matters',
    );
  return lines;
}

export async function runErase(
  store: Store,
  opts: EraseOptions,
  actor: string,
  emit: (data: unknown, text: string) => void,
): Promise<number> {
  if (opts.finish) {
    if (opts.patients.length > 0 || opts.images?.length)
      throw new EraseUsageError('--finish takes no --patient or --images');
    const removed = await removeErasedFiles(store, 'all');
    const residue = store.backend.compactAfterErasure();
    emit(
      { finished: true, filesRemoved: removed.files, bytesFreed: removed.bytes, residue },
      `${plural(removed.files, 'file')} of erased images removed; database compacted` +
        (residue ? `\nstill there for now: ${residue}` : ''),
    );
    return 0;
  }
  const target = targetOf(store, opts);
  if (!opts.yes) {
    const plan = planErasure(store, target);
    emit(
      { erased: false, plan },
      `would erase ${describe(plan)}\nnothing erased: run again with --yes to erase them for good`,
    );
    return 0;
  }
  const report = await eraseRecords(store, target, actor);
  const mb = (report.bytesFreed / 1e6).toFixed(1);
  emit(
    { erased: true, ...report, notReached: notReached(store, report) },
    [
      `erased ${describe(report)}; ${plural(report.filesRemoved, 'file')} removed (${mb} MB)`,
      ...(report.residue ? [`still there for now: ${report.residue}`] : []),
      ...notReached(store, report),
    ].join('\n'),
  );
  return 0;
}
