// The README against the command line it documents: every `retina <command>` it names exists, every flag it gives a
// command is accepted by that command's parser, and the top-level help names the subcommands the README lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMANDS, usage } from '../../main/cli/commands.js';
import { repoRoot } from '../e2e/model-fixture.js';

interface Invocation {
  command: string;
  /** The first word after the command that is not a flag or a placeholder (`init` of `db init|import`). */
  sub?: string;
  subs: string[];
  flags: string[];
  text: string;
}

/** Each `retina ...` the README shows, in a code span or a shell block, one per command named. */
function readmeInvocations(): Invocation[] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const spans = [
    ...[...readme.matchAll(/`([^`\n]*\bretina [^`\n]*)`/g)].map((m) => m[1]),
    ...readme.split('\n').filter((l) => /^npx retina /.test(l)),
  ];
  const out: Invocation[] = [];
  for (const span of spans) {
    // A table cell escapes its pipes; `a / npx retina b` names two commands.
    for (const part of span.replace(/\\\|/g, '|').split(/(?=\bretina )/)) {
      const m = /^retina ([a-z][a-z-]*)(.*)$/.exec(part.trim());
      if (!m) continue;
      const words = m[2].trim().split(/\s+/);
      const first = words[0] && /^[a-z][a-z|-]*$/.test(words[0]) ? words[0] : undefined;
      out.push({
        command: m[1],
        subs: first ? first.split('|') : [],
        ...(first ? { sub: first.split('|')[0] } : {}),
        flags: [...m[2].matchAll(/--[a-z][a-z0-9-]*/g)].map((f) => f[0]),
        text: part.trim(),
      });
    }
  }
  return out;
}

/** Runs a subcommand in this process, its help and complaints kept from the test's output. */
async function runQuietly(command: string, argv: string[]): Promise<number> {
  const mod = await COMMANDS[command].load();
  const [out, err] = [process.stdout.write, process.stderr.write];
  process.stdout.write = process.stderr.write = (() => true) as typeof process.stdout.write;
  try {
    return await mod.run(argv);
  } finally {
    [process.stdout.write, process.stderr.write] = [out, err];
  }
}

/** Whether the command's parser takes the flag: as an option with a value, or as a switch (then --help stops it). */
async function accepts(command: string, sub: string | undefined, flag: string): Promise<boolean> {
  const lead = sub ? [sub] : [];
  for (const argv of [
    [...lead, `${flag}=x`, '--help'],
    [...lead, flag, '--help'],
  ]) {
    try {
      if ((await runQuietly(command, argv)) === 0) return true;
    } catch {
      // refused in this form; try the other
    }
  }
  return false;
}

const invocations = readmeInvocations();

test('the README shows the retina commands (a sanity check of the parsing below)', () => {
  const named = new Set(invocations.map((i) => i.command));
  for (const c of ['segment', 'measure', 'db', 'serve', 'users']) assert.ok(named.has(c), c);
});

test('every retina command the README names is one the CLI has', () => {
  const missing = invocations.filter((i) => !(i.command in COMMANDS)).map((i) => i.text);
  assert.deepEqual(missing, []);
});

test("every flag the README gives a command is accepted by that command's parser", async () => {
  const refused: string[] = [];
  const seen = new Set<string>();
  for (const i of invocations) {
    if (!(i.command in COMMANDS)) continue;
    for (const flag of i.flags) {
      const key = `${i.command} ${i.sub ?? ''} ${flag}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (!(await accepts(i.command, i.sub, flag))) refused.push(`${key}   (README: ${i.text})`);
    }
  }
  assert.deepEqual(refused, []);
});

test('the top-level help names each subcommand the README lists for db, users and models', () => {
  const top = usage();
  const line = (c: string) => top.split('\n').find((l) => l.trimStart().startsWith(`${c} `)) ?? '';
  const missing: string[] = [];
  for (const i of invocations) {
    if (!['db', 'users', 'models'].includes(i.command)) continue;
    for (const s of i.subs)
      if (!new RegExp(`\\b${s}\\b`).test(line(i.command))) missing.push(`${i.command} ${s}`);
  }
  assert.deepEqual([...new Set(missing)], []);
});

test("card's summary names every dataset the README says it scores", () => {
  const line = usage()
    .split('\n')
    .find((l) => l.trimStart().startsWith('card '));
  for (const d of ['DRIVE', 'STARE', 'LES-AV']) assert.match(line ?? '', new RegExp(d), d);
});

test("every command of the CLI has a row in the README's table of the retina command", () => {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const rows = readme.split('\n').filter((l) => l.startsWith('| `npx retina '));
  const listed = new Set(
    rows.flatMap((r) => [...r.matchAll(/`npx retina ([a-z][a-z-]*)/g)].map((m) => m[1])),
  );
  assert.deepEqual(
    Object.keys(COMMANDS).filter((c) => !listed.has(c)),
    [],
  );
});
