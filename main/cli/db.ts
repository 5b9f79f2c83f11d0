// `retina db init|import|export|backup|check|compact`: the study store from the command line.
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { interruptSignal } from './interrupt.js';
import { cliActor } from './actor.js';
import { EXIT, UsageError } from './errors.js';
import { dashedFile, misplacedOption } from './args.js';
import { ERASE_HELP, EraseUsageError, runErase } from './db-erase.js';
import { AUDIT_HELP, auditChainText, AuditUsageError, notedHeadText, runAudit } from './db-audit.js';
import { imagesOfPatients, PatientArgUsageError, visitDateArg } from './patient-arg.js';
import { blobOwners } from '../store/blobs-referenced.js';
import { blobPath } from '../store/file-store.js';
import { copyOwnModels } from '../store/own-models.js';
import { assertApartFromStudy } from '../store/destination-overlap.js';
import { makeDestinationFolder } from '../store/destination-folder.js';
import { removeDatabaseFile, removeIfThere } from '../store/database-file.js';
import { plural } from '../../shared/plural.js';
import { zonedDateTime } from '../../shared/local-time.js';
import {
  backupStore,
  BUNDLE_PARTS,
  checkStore,
  type CheckReport,
  bytesText,
  compactStudy,
  removeErasedFiles,
  type CompactReport,
  DEFAULT_KEEP_DAYS,
  storageText,
  missingFilesFolder,
  missingFilesFolderAdvice,
  copyStore,
  redactUrl,
  exportCoco,
  exportDataset,
  exportMasks,
  exportMetricsCsv,
  getImage,
  importDataset,
  importPaths,
  ImportStoppedError,
  isPostgresUrl,
  mergeReports,
  openStore,
  SCHEMA_VERSION,
  StoreError,
  StoreReadOnlyError,
  writeBundleFolder,
  type BundlePart,
  type ImportReport,
  type MaskSource,
  type SkippedFile,
  type Store,
} from '../store/index.js';
import { LAYOUT_TITLES, type DatasetKind } from '../ml/data/dataset-layout.js';
import { packageVersion } from '../node/package-root.js';
import { writeFailureWords } from '../node/atomic-fs.js';
import { applySharedDir, databaseHelp, DATABASE_OPTIONS, databaseLocation } from './database-args.js';

export interface DbCliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env?: NodeJS.ProcessEnv;
}

const HELP = `Usage: retina db <command> [options]

Commands:
  init                      create the database (or migrate it to schema v${SCHEMA_VERSION})
  import PATH...            import image files or folders (recursive); DICOM files are recognised by content.
                            Dataset layouts are recognised by their folders: DRIVE, STARE, HRF-style
                            (images/ manual1/ mask/), LES-AV-style (images/ vessel/ mask/), images/ + masks/
                            [+ fov/], CHASE-style (<stem>.jpg + <stem>_1stHO.png). Elsewhere annotations pair
                            with images by name (masks/<stem>.*, <stem>_mask, _manual1, _gt, _1stHO, .ah, _fov).
                            Annotations are never imported as images: one with no image is listed as skipped.
                            A mask pixel is vessel when its brightest colour is above half range (a mask of 0
                            and 1 is read as such). A multi-page TIFF or animated GIF is imported at its first
                            page, and a frame too dark or blown out to grade (a failed capture) is imported:
                            each is said in a warning
    --dataset [KIND]        read each PATH as one dataset with the adapter KIND: auto (default), drive,
                            stare, generic (HRF-, LES-AV-, CHASE-style and images/ + masks/ folders)
    --name NAME             dataset name for the mask author 'dataset:<name>'
    --mask-kind KIND        kind of imported masks: approved (default) or draft
  export --out PATH         export masks
    --format F              masks (PNG per image, default), coco (JSON, RLE), csv (per-image metrics),
                            dataset (generic images/ masks/ fov/ layout), bundle (what the app's Export
                            writes: masks/, probabilities/, coco.json, metrics.csv, images.csv, manifest.json,
                            README.txt, into a new or empty folder)
    --source S              best (approved, else draft, else prediction; default), approved, draft, prediction
    --protocol P            csv metrics over fov (default) or all pixels
    --images IDS            only these image ids (comma-separated; default: all)
    --parts P               bundle: comma-separated masks, probabilities, coco, metrics, clinical, measures (default: all)
    --include-names         bundle: patient names in images.csv and coco.json (default: left out; patient IDs,
                            visit dates and file names are kept: not an anonymised export)
    --patient ID            only this patient's images (repeatable; --visit-date DATE: of that visit)
    --deidentify            bundle: images named by id (image-12), patients coded P0001... for this export, no
                            names, IDs or original file names (birth years, eyes, visit dates, cameras kept)
  backup DEST               online backup of the database and its files (<DEST>.files, <DEST>.models); an
                            existing DEST is replaced only when it is an earlier backup, and only once the new
                            one is complete
    --no-files              copy the database only
  check                     integrity, foreign keys and file store; the study's size, and how much of it
                            only older (autosaved) drafts hold, and the files no record refers to
    --verify                also re-hash every stored file
    --audit-head HASH       also check that the audit trail still holds this entry hash, noted from an earlier
                            check or audit: rewriting the trail up to it (after a hand edit) changes it
  compact                   remove the files of superseded autosaved drafts older than N days; their History
                            rows and audit entries stay (marked compacted). Kept whole: predictions, approvals,
                            each image's current version, each author's newest draft of an image, reopens,
                            restores, adoptions, and any version another record names; a file goes only when
                            no other version shares it. Also removes the files no record refers to (left by an
                            import or save cut off before its commit) unchanged for N days and at least a day:
                            a newer one may be an import or save still under way
    --keep-days N           keep every draft saved in the last N days (default ${DEFAULT_KEEP_DAYS})
    --dry-run               say what would be freed, change nothing
${ERASE_HELP}
${AUDIT_HELP}
  copy --from A --to B      copy a whole database into a new, empty one (e.g. a single user's SQLite file into a
                            team's PostgreSQL database: --to postgres://... --shared-dir DIR); row counts and
                            content hashes of every table are compared, every copied file re-hashed; its
                            retrained models (<A>.models) go with it

Options:
${databaseHelp(28)}
  --actor NAME              name recorded in the audit log (default: the OS user); in a study with
                            accounts, one of them
  --json                    machine-readable output on stdout
  -h, --help                this help
Exit codes: 0 ok, 1 error, 2 usage.`;

class DbUsageError extends Error {}

const DATASET_KINDS = ['auto', 'drive', 'stare', 'generic'] as const;

type Values = Record<string, string | boolean | undefined>;

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

function pick<T extends string>(values: Values, name: string, allowed: readonly T[], fallback: T): T {
  const v = values[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new DbUsageError(`--${name} must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

/**
 * A file name or message as the summary prints it: JSON-quoted where it holds a control character, so that a name
 * with a newline in it cannot break the summary's one line per file.
 */
function shown(text: string): string {
  return /\p{Cc}/u.test(text) ? JSON.stringify(text) : text;
}

function summary(report: ImportReport): string {
  const withMasks = report.imported.filter((i) => i.maskVersionId !== null).length;
  const lines = [
    `imported ${report.imported.length} (${withMasks} with masks), duplicates skipped ${report.duplicates.length}, ` +
      `failed ${report.failed.length}, other files skipped ${report.skipped.length}` +
      (report.warnings.length > 0 ? `, ${plural(report.warnings.length, 'warning')}` : ''),
  ];
  for (const d of report.datasets)
    lines.push(
      `  ${LAYOUT_TITLES[d.layout]} layout: ${shown(d.root)} (${d.images} images, dataset '${d.name}')`,
    );
  // A duplicate of a file imported earlier in this run names that file: "already image 1" read as if the image
  // had been in the store before.
  const importedFrom = new Map(report.imported.map((i) => [i.imageId, i.source]));
  for (const d of report.duplicates) {
    const earlier = importedFrom.get(d.existingImageId);
    const same =
      earlier === undefined
        ? `already image ${d.existingImageId}`
        : `same photograph as ${shown(earlier)}, imported as image ${d.existingImageId} in this run`;
    const filled = Object.entries(d.filled ?? {}).map(([k, v]) => `${k === 'eye' ? 'eye' : 'patient'} ${v}`);
    lines.push(
      `  duplicate: ${shown(d.source)} (${same}${d.maskVersionId !== undefined ? '; its mask added' : ''}` +
        `${filled.length > 0 ? `; given ${filled.join(' and ')} from this name` : ''})`,
    );
  }
  for (const f of report.failed) lines.push(`  failed: ${shown(f.error)}`);
  lines.push(...skippedLines(report.skipped));
  for (const w of report.warnings)
    lines.push(`  warning: ${shown(w.source)} (image ${w.imageId}): ${shown(w.message)}`);
  return lines.join('\n');
}

/** Skipped files, one line each, except that files of one folder skipped for the same reason share a line. */
function skippedLines(skipped: SkippedFile[]): string[] {
  const groups = new Map<string, SkippedFile[]>();
  for (const s of skipped) {
    const key = `${dirname(s.source)}\0${s.reason}`;
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  return [...groups.values()].map((g) =>
    g.length === 1
      ? `  skipped: ${shown(g[0].source)} (${shown(g[0].reason)})`
      : `  skipped ${g.length} files in ${shown(dirname(g[0].source) + '/')} (${shown(g[0].reason)})`,
  );
}

/** An import's report; `notImported`: files left when Ctrl+C stopped it (null: it was not stopped). */
interface ImportRun {
  report: ImportReport;
  notImported: number | null;
}

async function runImport(
  store: Store,
  paths: string[],
  values: Values,
  actor: string,
  io: DbCliIo,
): Promise<ImportRun> {
  if (paths.length === 0) throw new DbUsageError('import needs at least one PATH');
  const maskKind = pick(values, 'mask-kind', ['approved', 'draft'] as const, 'approved');
  const name = typeof values.name === 'string' ? values.name : undefined;
  // Ctrl+C stops after the image in progress, so that the summary says what is in and what is not (it ended the
  // process at once, saying only "interrupted").
  const hold = interruptSignal();
  const shouldStop = (): boolean => hold.signal.aborted;
  let left = 0;
  const progress = (done: number, total: number): void => {
    left = total - done;
    if (!values.json && (done === total || done % 10 === 0)) io.stderr.write(`  ${done}/${total}\n`);
  };
  const run = (report: ImportReport): ImportRun => ({ report, notImported: shouldStop() ? left : null });
  try {
    if (values.dataset === undefined) {
      return run(
        await importPaths(store, paths, { actor, maskKind, name, onProgress: progress, shouldStop }),
      );
    }
    const raw = typeof values.dataset === 'string' && values.dataset !== '' ? values.dataset : 'auto';
    if (!(DATASET_KINDS as readonly string[]).includes(raw))
      throw new DbUsageError(`--dataset must be one of ${DATASET_KINDS.join(', ')}`);
    const kind = raw === 'auto' ? undefined : (raw as DatasetKind);
    const reports: ImportReport[] = [];
    for (const p of paths) {
      if (shouldStop()) break;
      try {
        reports.push(await importDataset(store, p, { actor, kind, name, onProgress: progress, shouldStop }));
      } catch (err) {
        // The datasets imported before the one that stopped are part of what was done.
        if (!(err instanceof ImportStoppedError)) throw err;
        throw new ImportStoppedError(err.message, mergeReports([...reports, err.report]), err.notImported);
      }
    }
    return run(mergeReports(reports));
  } finally {
    hold.release();
  }
}

/** The subcommands each option is for; options not named here are every subcommand's. */
const OPTION_COMMANDS: Record<string, string[]> = {
  dataset: ['import'],
  name: ['import'],
  'mask-kind': ['import'],
  out: ['export'],
  format: ['export'],
  source: ['export'],
  protocol: ['export'],
  images: ['export', 'erase', 'audit'],
  patient: ['erase', 'export', 'audit'],
  'visit-date': ['erase', 'export'],
  'no-files': ['backup'],
  verify: ['check'],
  'audit-head': ['check'],
  yes: ['erase'],
  finish: ['erase'],
  by: ['audit'],
  action: ['audit'],
  since: ['audit'],
  limit: ['audit'],
  'keep-days': ['compact'],
  'dry-run': ['compact'],
  from: ['copy'],
  to: ['copy'],
  deidentify: ['export --format bundle'],
  'include-names': ['export --format bundle'],
  parts: ['export --format bundle'],
};
/** Options of `db export --format bundle` alone. */
const BUNDLE_OPTIONS = Object.keys(OPTION_COMMANDS).filter((o) =>
  OPTION_COMMANDS[o].includes('export --format bundle'),
);

/** Runs `retina db ...`; returns the exit code (0 ok, 1 error, 2 usage). */
export async function runDbCommand(
  argv: string[],
  io: DbCliIo = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const env = io.env ?? process.env;
  let values: Values;
  let patients: string[];
  let positionals: string[];
  try {
    // `--dataset` takes an optional kind: a bare `--dataset` is rewritten to `--dataset=auto`.
    const args = argv.map((a, i) =>
      a === '--dataset' &&
      (argv[i + 1] === undefined || !(DATASET_KINDS as readonly string[]).includes(argv[i + 1]))
        ? '--dataset=auto'
        : a,
    );
    const parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        ...DATABASE_OPTIONS,
        from: { type: 'string' },
        to: { type: 'string' },
        actor: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        dataset: { type: 'string' },
        name: { type: 'string' },
        'mask-kind': { type: 'string' },
        out: { type: 'string', short: 'o' },
        format: { type: 'string' },
        source: { type: 'string' },
        protocol: { type: 'string' },
        images: { type: 'string' },
        parts: { type: 'string' },
        'include-names': { type: 'boolean' },
        deidentify: { type: 'boolean' },
        'no-files': { type: 'boolean' },
        verify: { type: 'boolean' },
        'audit-head': { type: 'string' },
        patient: { type: 'string', multiple: true },
        'visit-date': { type: 'string' },
        yes: { type: 'boolean' },
        finish: { type: 'boolean' },
        by: { type: 'string' },
        action: { type: 'string' },
        since: { type: 'string' },
        limit: { type: 'string' },
        'keep-days': { type: 'string' },
        'dry-run': { type: 'boolean' },
      },
    });
    patients = parsed.values.patient ?? [];
    values = { ...parsed.values, patient: undefined } as Values;
    positionals = parsed.positionals;
  } catch (err) {
    // A photograph named '-04.tif' to import reads as options: named, with the way to give it.
    io.stderr.write(`retina db: ${dashedFile(argv, true) ?? oneLine(err)} (see 'retina db --help')\n`);
    return 2;
  }
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    (values.help ? io.stdout : io.stderr).write(HELP + '\n');
    return values.help ? 0 : 2;
  }
  if (
    !['init', 'import', 'export', 'backup', 'check', 'copy', 'erase', 'audit', 'compact'].includes(command)
  ) {
    io.stderr.write(`retina db: unknown command '${command}' (see 'retina db --help')\n`);
    return 2;
  }
  let dbPath: string;
  try {
    applySharedDir(values, env);
    dbPath = databaseLocation(values, env);
  } catch (err) {
    // A photograph named '-04.tif' to import reads as options: named, with the way to give it.
    io.stderr.write(`retina db: ${dashedFile(argv, true) ?? oneLine(err)} (see 'retina db --help')\n`);
    return 2;
  }
  // An option of another subcommand would be ignored (`db compact --images 3` compacted every image's drafts).
  const misplaced = misplacedOption('db', command, OPTION_COMMANDS, (o) =>
    o === 'patient' ? patients.length > 0 : values[o] !== undefined,
  );
  if (misplaced) {
    io.stderr.write(`retina db: ${misplaced} (see 'retina db --help')\n`);
    return 2;
  }
  if (command === 'copy') return runCopy(values, io, env);
  const json = values.json === true;
  const emit = (data: unknown, text: string): void => {
    io.stdout.write(json ? JSON.stringify(data) + '\n' : text + '\n');
  };
  let store: Store | null = null;
  try {
    // Validate usage before touching the database.
    if (command === 'export' && typeof values.out !== 'string')
      throw new DbUsageError('export needs --out PATH');
    if (command === 'backup' && rest.length !== 1) throw new DbUsageError('backup needs exactly one DEST');
    const format = pick(values, 'format', ['masks', 'coco', 'csv', 'dataset', 'bundle'] as const, 'masks');
    // A bundle's options given to another format would be ignored: for --deidentify, a leak the user trusted not
    // to happen (those formats keep file names, and coco.json patient IDs).
    for (const option of BUNDLE_OPTIONS)
      if (values[option] !== undefined && format !== 'bundle')
        throw new DbUsageError(
          `--${option} is for --format bundle; ${format} ${option === 'deidentify' ? 'keeps file names and patient IDs' : 'has no such option'}`,
        );
    const source = pick(
      values,
      'source',
      ['best', 'approved', 'draft', 'prediction'] as const,
      'best',
    ) as MaskSource;
    const protocol = pick(values, 'protocol', ['fov', 'all'] as const, 'fov');
    let imageIds = idList(values.images);
    const parts = partList(values.parts);

    // Before the database is opened (an erase opens it to write): a usage error touches nothing.
    visitDateArg(str(values['visit-date']));
    // Without its patient a visit date selected nothing: an export of every image.
    if (values['visit-date'] !== undefined && patients.length !== 1)
      throw new DbUsageError('--visit-date needs exactly one --patient');
    const auditHead = str(values['audit-head']);
    if (auditHead !== undefined && !/^[0-9a-fA-F]{64}$/.test(auditHead))
      throw new DbUsageError('--audit-head takes an entry hash: 64 hexadecimal digits');
    const keepDays = keepDaysArg(values['keep-days']);
    const dryRun = values['dry-run'] === true;
    // A dry run only reads: it neither upgrades the study nor takes its write lock.
    const readOnlyCommand =
      ['export', 'backup', 'check', 'audit'].includes(command) || (command === 'compact' && dryRun);
    // A study of an earlier version is upgraded only by a command that writes to it, never by one that only
    // reads (a backup before upgrading would otherwise upgrade the study, and come out upgraded itself).
    store = readOnlyCommand ? openToRead(dbPath) : openStore(dbPath);
    const actor = cliActor(store, str(values.actor));
    switch (command) {
      case 'init':
        emit(
          { db: store.path, schemaVersion: store.schemaVersion, preUpgradeCopy: store.preUpgradeCopy },
          `${store.path}: schema v${store.schemaVersion}` +
            (store.preUpgradeCopy
              ? ` (upgraded; the database as it was is kept at ${store.preUpgradeCopy})`
              : ''),
        );
        return 0;
      case 'import': {
        try {
          const { report, notImported } = await runImport(store, rest, values, actor, io);
          if (notImported !== null) {
            const left =
              notImported > 0
                ? `${plural(notImported, 'file')} not imported`
                : 'the files read were imported';
            emit(
              { db: store.path, ...report, interrupted: true, notImported },
              `${summary(report)}\ninterrupted: ${left}; run the same import again to go on: the images ` +
                'already imported are skipped as duplicates',
            );
            return EXIT.interrupted;
          }
          emit({ db: store.path, ...report }, summary(report));
          return report.failed.length > 0 ? 1 : 0;
        } catch (err) {
          if (!(err instanceof ImportStoppedError)) throw err;
          // What was imported before the store failed is kept: said, with how to go on.
          const stopped =
            `stopped: ${err.message}; ${plural(err.notImported, 'file')} not imported. Once that is fixed, run ` +
            'the same import again: the images already imported are skipped as duplicates';
          emit(
            { db: store.path, ...err.report, stopped: err.message, notImported: err.notImported },
            `${summary(err.report)}\n${stopped}`,
          );
          return 1;
        }
      }
      case 'export': {
        const out = values.out as string;
        // Every format refuses an id that is no image (a typo gave a quietly incomplete export).
        for (const id of imageIds ?? []) getImage(store, id);
        // A patient's images (of one visit date): what a patient asking for their data is given.
        if (patients.length > 0)
          imageIds = [
            ...new Set([
              ...(imageIds ?? []),
              ...imagesOfPatients(store, patients, str(values['visit-date'])),
            ]),
          ];
        if (format === 'masks') {
          const r = await exportMasks(store, out, { source, imageIds });
          emit({ format, out, masks: r }, `wrote ${r.length} masks to ${out}`);
        } else if (format === 'coco') {
          const doc = await exportCoco(store, out, { source, imageIds });
          emit(
            { format, out, images: doc.images.length, annotations: doc.annotations.length },
            `wrote ${doc.annotations.length} annotations to ${out}`,
          );
        } else if (format === 'csv') {
          const rows = await exportMetricsCsv(store, out, { protocol, imageIds });
          emit({ format, out, rows: rows.length }, `wrote metrics of ${rows.length} images to ${out}`);
        } else if (format === 'bundle') {
          const r = await writeBundleFolder(store, out, {
            imageIds,
            parts,
            source,
            protocol,
            includeNames: values['include-names'] === true,
            deidentify: values.deidentify === true,
            appVersion: packageVersion(),
          });
          emit(
            { format, out, ...r },
            `wrote ${r.files.length} files for ${r.images} images (${r.masks} masks) to ${out}`,
          );
        } else {
          const r = await exportDataset(store, out, { source, imageIds });
          emit({ format, ...r }, `wrote ${r.images} images and ${r.masks} masks to ${r.dir}`);
        }
        return 0;
      }
      case 'backup': {
        // A backup cut short would leave a database whose files are not all there: Ctrl+C lets it finish.
        const hold = interruptSignal({ patient: true });
        const r = await backupStore(store, rest[0], { includeFiles: values['no-files'] !== true }).finally(
          hold.release,
        );
        emit(
          r,
          `backup written to ${r.path} (${r.blobsCopied} files copied, ${r.blobsPresent} already there` +
            `${r.modelsCopied > 0 ? `; ${plural(r.modelsCopied, 'retrained model')} in ${r.path}.models` : ''})`,
        );
        return 0;
      }
      case 'erase':
        return await runErase(
          store,
          {
            images: imageIds,
            patients,
            visitDate: typeof values['visit-date'] === 'string' ? values['visit-date'] : undefined,
            yes: values.yes === true,
            finish: values.finish === true,
          },
          actor,
          emit,
        );
      case 'audit':
        return runAudit(
          store,
          {
            images: imageIds,
            patients,
            by: str(values.by),
            action: str(values.action),
            since: str(values.since),
            limit: str(values.limit),
          },
          emit,
          (text) => io.stderr.write(`${text}\n`),
        );
      case 'compact': {
        // Files an earlier compaction or erasure noted but was cut off before removing go first.
        if (!dryRun) await removeErasedFiles(store);
        const r = compactStudy(store, { keepDays, dryRun, actor });
        emit({ db: store.path, ...r }, compactText(r));
        return 0;
      }
      case 'check': {
        const r = await checkStore(store, { verifyHashes: values.verify === true, auditHead });
        const text = r.ok
          ? `${store.path}: ok (schema v${r.schemaVersion}, ${r.counts.images} images, ${r.counts.maskVersions} mask versions)\n` +
            `  ${auditChainText(r.auditChain)}`
          : `${store.path}: PROBLEMS: integrity ${r.integrity.join('; ')}, ${r.foreignKeyViolations} foreign-key violations, ` +
            `${r.missingBlobs.length} missing and ${r.corruptBlobs.length} corrupt files` +
            (r.unturnedImages.length
              ? `, ${r.unturnedImages.length} image(s) recorded unturned though their EXIF orientation turns them ` +
                `(import again: ${r.unturnedImages.join(', ')})`
              : '') +
            (r.missingModels.length
              ? `, ${plural(r.missingModels.length, 'model')} whose folder is missing`
              : '') +
            (r.auditChain?.ok === false ? ', the audit trail does not verify' : '') +
            (r.notedHead?.row === null ? ', the audit trail no longer holds the noted entry' : '') +
            (r.missingBlobs.length > 0 && missingFilesFolder(store)
              ? `; ${missingFilesFolderAdvice(store.filesDir)}`
              : '') +
            // Said whether it verifies or not: a broken trail names its first bad row.
            `\n  ${auditChainText(r.auditChain)}`;
        const notedText = r.notedHead ? `\n  ${notedHeadText(r.notedHead)}` : '';
        const sizeText = `\n  ${storageText(r.storage)}`;
        // Each damaged file by what it holds and where it should be, so the user knows what is lost.
        const checked = store;
        const owners = blobOwners(checked.db, [...r.missingBlobs, ...r.corruptBlobs]);
        const line = (state: string) => (h: string) =>
          `  ${state}: ${owners.get(h) ?? 'a file'}: ${blobPath(checked, h)}`;
        const damaged = [...r.missingBlobs.map(line('missing')), ...r.corruptBlobs.map(line('damaged'))];
        const advice =
          damaged.length > 0
            ? '\n  (restore them from a backup of this database, or import the images again)'
            : '';
        emit(
          r,
          [text + notedText + sizeText, ...damaged].join('\n') +
            advice +
            missingModelsText(r.missingModels, store.beside('models')),
        );
        return r.ok ? 0 : 1;
      }
    }
    return 2;
  } catch (err) {
    if (
      err instanceof DbUsageError ||
      err instanceof UsageError ||
      err instanceof EraseUsageError ||
      err instanceof AuditUsageError ||
      err instanceof PatientArgUsageError
    ) {
      io.stderr.write(`retina db: ${err.message} (see 'retina db --help')\n`);
      return 2;
    }
    io.stderr.write(`retina db ${command}: ${oneLine(err)}\n`);
    if (env.RETINA_DEBUG) io.stderr.write(`${(err as Error).stack ?? ''}\n`);
    return 1;
  } finally {
    store?.close();
  }
}

/**
 * A study for a command that only reads: left as it is when made by an earlier version, and read where it cannot
 * be written (read-only media), which a writable opening refuses. Writable when it can be: a read-only opening
 * of a study nobody has open reads its database into memory (sqlite-read-only.ts).
 */
function openToRead(dbPath: string): Store {
  try {
    return openStore(dbPath, { create: false, upgrade: false });
  } catch (err) {
    if (!(err instanceof StoreReadOnlyError)) throw err;
    return openStore(dbPath, { readonly: true });
  }
}

/** Each registered model whose folder is missing, and how to get it back. */
function missingModelsText(missing: CheckReport['missingModels'], own: string): string {
  if (missing.length === 0) return '';
  const lines = missing.map(
    (m) => `  missing: model ${m.id} '${m.name}' (${m.task}, ${m.status}): its folder ${m.dirPath}`,
  );
  const advice = [
    missing.some((m) => m.own) &&
      `put the missing folders back in ${own} (from where the study was, or from a backup of this database: ` +
        'a study moves together with its .files and .models folders)',
    missing.some((m) => !m.own) && 'put the other model folders back where they are named',
    missing.some((m) => m.status === 'active') &&
      "until then, 'retina models promote' another model of that task to segment with",
  ].filter(Boolean);
  return `\n${lines.join('\n')}\n  (${advice.join('; ')})`;
}

/** `retina db copy --from A --to B`: into a new database only; both sides compared table by table. */
async function runCopy(values: Values, io: DbCliIo, env: NodeJS.ProcessEnv): Promise<number> {
  if (typeof values.from !== 'string' || typeof values.to !== 'string') {
    io.stderr.write(`retina db: copy needs --from A and --to B (see 'retina db --help')\n`);
    return 2;
  }
  const fromLocation = databaseLocation({ database: values.from }, env);
  const toLocation = databaseLocation({ database: values.to }, env);
  let from: Store | null = null;
  let to: Store | null = null;
  // The first folder made for the copy: a copy that fails goes with it, as a backup's does.
  let made: string | undefined;
  try {
    if (fromLocation === toLocation) throw new DbUsageError('--from and --to name the same database');
    from = openStore(fromLocation, { readonly: true });
    if (!isPostgresUrl(toLocation)) {
      assertApartFromStudy(from, toLocation, 'copy');
      // Its folder first, as a backup's: a refusal (a file in the way, a read-only disk) names the destination,
      // not the staging name, and not --database, which is not this command's option.
      made = await makeDestinationFolder(dirname(toLocation)).catch((err: unknown) => {
        throw new StoreError(
          `${toLocation}: cannot write the copy there: ${(err as Error).message} (nothing was written)`,
        );
      });
    }
    // A new SQLite file is made under a temporary name and takes its own once complete: a copy killed midway
    // (kill -9, a power cut) leaves no database that opens like a whole one with part of the rows and files.
    const staged = stagedSqliteTarget(toLocation);
    try {
      to = openStore(staged?.partial ?? toLocation, { create: true });
    } catch (err) {
      // Not even made (a full disk): nothing of it is left, and the message names the copy, not its staging name.
      await staged?.discard();
      if (staged && err instanceof Error) err.message = err.message.split(staged.partial).join(toLocation);
      throw err;
    }
    // A copy cut short would leave a new database with part of the old one's rows: Ctrl+C lets it finish.
    const hold = interruptSignal({ patient: true });
    let r: Awaited<ReturnType<typeof copyStore>>;
    let modelsCopied = 0;
    try {
      r = await copyStore(from, to, {
        onProgress: (m) => {
          if (values.json !== true) io.stderr.write(`  ${m}\n`);
        },
      });
      // Its retrained models go with it: the registry names them relative to the copy's models folder, which a
      // staged copy renames along with itself.
      modelsCopied = await copyOwnModels(from, to.beside('models'));
      to.close();
      to = null;
      if (staged) r = { ...r, to: await staged.complete() };
    } catch (err) {
      to?.close();
      to = null;
      await staged?.discard();
      // "the disk is full (ENOSPC)", not the system's line naming a file of the half-made copy.
      const why = writeFailureWords((err as NodeJS.ErrnoException).code);
      if (why && staged)
        throw new StoreError(
          `${toLocation}: copy failed: ${why} (${(err as NodeJS.ErrnoException).code}); nothing of it is left`,
        );
      throw err;
    } finally {
      hold.release();
    }
    const rows = r.tables.reduce((n, t) => n + t.rows, 0);
    io.stdout.write(
      values.json === true
        ? JSON.stringify({ ...r, modelsCopied }) + '\n'
        : `copied ${redactUrl(r.from)} to ${redactUrl(r.to)}: ${r.tables.length} tables, ${rows} rows ` +
            `(counts and content hashes equal), ${r.blobsCopied} files copied, ${r.blobsPresent} already there` +
            `${modelsCopied > 0 ? `, ${plural(modelsCopied, 'retrained model')}` : ''}\n`,
    );
    return 0;
  } catch (err) {
    // Whatever it held (a staged copy) was discarded before; a failure to remove it must not hide why the copy failed.
    if (made) await removeIfThere(made).catch(() => undefined);
    if (
      err instanceof DbUsageError ||
      err instanceof EraseUsageError ||
      err instanceof AuditUsageError ||
      err instanceof PatientArgUsageError
    ) {
      io.stderr.write(`retina db: ${err.message} (see 'retina db --help')\n`);
      return 2;
    }
    io.stderr.write(`retina db copy: ${oneLine(err)}\n`);
    return 1;
  } finally {
    from?.close();
    to?.close();
  }
}

/**
 * For a new SQLite file: the temporary name to copy into and how to give it its own (the files folder with it), or
 * to remove it. Null for a team database (made in place) and for an existing file (copyStore refuses one with rows).
 */
function stagedSqliteTarget(
  location: string,
): { partial: string; complete: () => Promise<string>; discard: () => Promise<void> } | null {
  if (isPostgresUrl(location) || existsSync(location)) return null;
  for (const folder of ['files', 'models'])
    if (existsSync(`${location}.${folder}`))
      throw new DbUsageError(
        `${location}.${folder} already exists without its database: copy into a new name`,
      );
  const partial = `${location}.partial-${process.pid}`;
  const discard = async (): Promise<void> => {
    await removeDatabaseFile(partial);
    await removeIfThere(`${partial}.files`);
    await removeIfThere(`${partial}.models`);
  };
  return {
    partial,
    discard,
    complete: async () => {
      for (const folder of ['files', 'models'])
        if (existsSync(`${partial}.${folder}`)) await rename(`${partial}.${folder}`, `${location}.${folder}`);
      await rename(partial, location);
      return location;
    },
  };
}

/** `--keep-days N`: a whole number of days, 0 to 36500 (a century; more named a date before year 0); absent: the default. */
function keepDaysArg(v: string | boolean | undefined): number {
  if (v === undefined) return DEFAULT_KEEP_DAYS;
  if (typeof v !== 'string' || !/^[0-9]{1,6}$/.test(v.trim()) || Number(v.trim()) > 36500)
    throw new DbUsageError('--keep-days takes a whole number of days, 0 to 36500');
  return Number(v.trim());
}

/** What `db compact` freed, or would free. */
function compactText(r: CompactReport): string {
  const drafts = draftsText(r);
  const leftovers = leftoversText(r);
  if (!leftovers) return drafts;
  const unchanged =
    r.dryRun && r.versions === 0 ? ' (nothing was changed: run without --dry-run to remove them)' : '';
  return `${drafts}; ${leftovers}${unchanged}`;
}

function draftsText(r: CompactReport): string {
  // The cut-off to the second, in this machine's zone and named: a bare UTC date let a draft saved that day before
  // the cut-off read as kept.
  const cutOff = zonedDateTime(r.before, { seconds: true });
  const since = `drafts saved since ${cutOff} are kept whole`;
  if (r.versions === 0)
    return `nothing to compact: no superseded autosaved draft saved before ${cutOff} (${r.keepDays} days)`;
  const what = `${plural(r.versions, 'older draft')} of ${plural(r.images, 'image')}`;
  const freed = `${plural(r.files, 'file')}, ${bytesText(r.bytes)}`;
  const left =
    r.filesLeft > 0
      ? `; ${plural(r.filesLeft, 'file')} no version needs could not be removed (see 'retina db check')`
      : '';
  return r.dryRun
    ? `would compact ${what}, freeing ${freed} (${since}; nothing was changed: run without --dry-run to compact)`
    : `compacted ${what}: freed ${freed} (${since}; their History entries stay, marked compacted)${left}`;
}

/** The files no record refers to (an import or save cut off before its commit): removed, kept, or left. */
function leftoversText(r: CompactReport): string {
  const { files, bytes, recent, left, before } = r.leftovers;
  const parts: string[] = [];
  const what = `${plural(files, 'file')} no record refers to, ${bytesText(bytes)} (left by imports or saves cut off before their commit)`;
  if (files > 0) parts.push(r.dryRun ? `would remove ${what}` : `removed ${what}`);
  if (left > 0)
    parts.push(`${plural(left, 'file')} no record refers to could not be removed (see 'retina db check')`);
  if (recent > 0)
    parts.push(
      `${plural(recent, 'file')} no record refers to changed since ${zonedDateTime(before)}, kept (an import or save may still be writing its record)`,
    );
  return parts.join('; ');
}

/** `--images 3,4,7`: positive integers; absent: undefined (every image). */
function idList(v: string | boolean | undefined): number[] | undefined {
  if (typeof v !== 'string') return undefined;
  const ids = v.split(',').map((x) => x.trim());
  if (ids.length === 0 || ids.some((x) => !/^[1-9][0-9]{0,14}$/.test(x)))
    throw new DbUsageError('--images must be image ids separated by commas, e.g. 3,4,7');
  // An id given twice is exported once (COCO ids must be unique; a CSV row twice is a slip).
  return [...new Set(ids.map(Number))];
}

/** `--parts masks,coco`; absent: every part. */
function partList(v: string | boolean | undefined): BundlePart[] {
  if (typeof v !== 'string') return [...BUNDLE_PARTS];
  const parts = v.split(',').map((x) => x.trim());
  const bad = parts.find((p) => !(BUNDLE_PARTS as readonly string[]).includes(p));
  if (bad !== undefined) throw new DbUsageError(`--parts takes ${BUNDLE_PARTS.join(', ')} (not '${bad}')`);
  return parts as BundlePart[];
}

const str = (v: string | boolean | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** The dispatcher's convention: `run(argv)` with the process's streams. */
export function run(argv: string[]): Promise<number> {
  return runDbCommand(argv, { stdout: process.stdout, stderr: process.stderr });
}
