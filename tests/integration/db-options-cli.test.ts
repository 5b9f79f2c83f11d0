// `retina db --help` against its parser: each option the help lists under one subcommand is refused, as a usage
// error and before the database is touched, by every other subcommand, which would otherwise ignore it
// (`db compact --images 3` compacted every image's drafts; `db backup --verify` verified nothing; `db export
// --visit-date D` without its --patient exported every image).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDbCommand } from '../../main/cli/db.js';

interface HelpOption {
  name: string;
  /** Whether the help gives it a value (`--keep-days N`). */
  takesValue: boolean;
}

/** The help's options by subcommand: those on a subcommand's line and indented under it. */
function optionsBySubcommand(help: string): Map<string, HelpOption[]> {
  const bySub = new Map<string, HelpOption[]>();
  let current: string | null = null;
  for (const line of help.split('\n')) {
    if (/^\S/.test(line)) current = null; // 'Options:' and the rest: the options of every subcommand
    const sub = /^ {2}([a-z]+)\b(.*)$/.exec(line);
    const text = sub ? sub[2] : current !== null && /^ {4}--/.test(line) ? line : '';
    if (sub) {
      current = sub[1];
      bySub.set(current, []);
    }
    if (current === null) continue;
    // A subcommand's line gives its options in its first column only (`copy --from A --to B`).
    const spec = text.trimStart().split(/ {2,}/)[0];
    for (const m of spec.matchAll(/--([a-z][a-z-]*)( \[?[A-Z])?/g))
      bySub.get(current)?.push({ name: m[1], takesValue: m[2] !== undefined });
  }
  return bySub;
}

/** A value each option's own check takes, so that only the subcommand can refuse it. */
const VALUE: Record<string, string> = {
  dataset: 'drive',
  'mask-kind': 'draft',
  format: 'coco',
  source: 'approved',
  protocol: 'all',
  parts: 'masks',
  'visit-date': '2026-01-09',
  'audit-head': '0'.repeat(64),
  since: '2026-01-01',
};

/** The least each subcommand needs to get past its own checks. */
const BASE: Record<string, (dir: string) => string[]> = {
  init: () => [],
  import: (dir) => [join(dir, 'photos')],
  export: (dir) => ['--out', join(dir, 'export')],
  backup: (dir) => [join(dir, 'backup.db')],
  check: () => [],
  compact: () => [],
  erase: () => ['--images', '1'],
  audit: () => [],
  copy: (dir) => ['--from', join(dir, 'study.db'), '--to', join(dir, 'copy.db')],
};

test("each db subcommand refuses another subcommand's options before it opens the database", async () => {
  const help: string[] = [];
  const quiet = { write: () => true };
  await runDbCommand(['--help'], { stdout: { write: (s: string) => help.push(s) > 0 }, stderr: quiet });
  const bySub = optionsBySubcommand(help.join(''));
  assert.deepEqual([...bySub.keys()].sort(), Object.keys(BASE).sort());
  assert.ok(bySub.get('compact')?.some((o) => o.name === 'keep-days' && o.takesValue));

  const dir = mkdtempSync(join(tmpdir(), 'retina-db-options-'));
  try {
    const db = join(dir, 'study.db');
    const accepted: string[] = [];
    const all = new Map([...bySub.values()].flat().map((o) => [o.name, o]));
    for (const [sub, base] of Object.entries(BASE)) {
      const own = new Set((bySub.get(sub) ?? []).map((o) => o.name));
      for (const o of all.values()) {
        if (own.has(o.name)) continue;
        {
          const option = o.takesValue ? `--${o.name}=${VALUE[o.name] ?? '1'}` : `--${o.name}`;
          const argv = [sub, ...base(dir), option, '--database', db];
          const err: string[] = [];
          const code = await runDbCommand(argv, {
            stdout: quiet,
            stderr: { write: (s: string) => err.push(s) > 0 },
            env: {},
          });
          if (code !== 2 || !err.join('').includes(`--${o.name} `) || existsSync(db))
            accepted.push(`db ${argv.slice(0, -2).join(' ')} (exit ${code}: ${err.join('').trim()})`);
          rmSync(db, { force: true });
        }
      }
    }
    assert.deepEqual(accepted, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
