// Argument parsing shared by the subcommands: node:util parseArgs with typed numeric helpers and --help.
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/** Parses argv; returns null when --help was asked (after printing the help text). */
export function parseCommand(
  argv: string[],
  options: OptionSpec,
  help: string,
  allowPositionals = false,
): Parsed | null {
  let parsed: Parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals,
      strict: true,
    }) as Parsed;
  } catch (err) {
    throw new UsageError(
      dashedFile(argv, allowPositionals) ?? (err instanceof Error ? err.message : String(err)),
    );
  }
  if (parsed.values.help) {
    process.stdout.write(help.trim() + '\n');
    return null;
  }
  return parsed;
}

export function str(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireStr(p: Parsed, name: string): string {
  const v = str(p, name);
  if (v === undefined) throw new UsageError(`--${name} is required`);
  return v;
}

/** A number as people write one: sign, digits, a fraction, an exponent. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

export function num(
  p: Parsed,
  name: string,
  opts: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  // Decimal only: Number() reads '' as 0 and '0x2D' as 45, which no one typing an option means.
  const n = DECIMAL.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n))) {
    throw new UsageError(`--${name} expects ${opts.integer ? 'an integer' : 'a number'}, got '${v}'`);
  }
  if ((opts.min !== undefined && n < opts.min) || (opts.max !== undefined && n > opts.max)) {
    throw new UsageError(`--${name} must be within [${opts.min ?? '-inf'}, ${opts.max ?? 'inf'}], got ${n}`);
  }
  return n;
}

export function oneOf<T extends string>(p: Parsed, name: string, allowed: readonly T[]): T | undefined {
  const v = str(p, name);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got '${v}'`);
  }
  return v as T;
}

export function flag(p: Parsed, name: string): boolean {
  return p.values[name] === true;
}

/**
 * The usage error for an option given to a subcommand it is not for, which would ignore it; null when none is.
 * `table` names each such option's subcommands, each perhaps with what it needs besides ('export --format bundle').
 */
export function misplacedOption(
  command: string,
  sub: string,
  table: Record<string, readonly string[]>,
  given: (option: string) => boolean,
): string | null {
  for (const [option, subs] of Object.entries(table))
    if (given(option) && !subs.some((s) => s.split(' ')[0] === sub))
      return `--${option} is for ${command} ${subs.join(`, ${command} `)}`;
  return null;
}

export function printJson(x: unknown): void {
  process.stdout.write(JSON.stringify(x, null, 2) + '\n');
}

/**
 * A file whose name starts with '-' given as an input ('-04.tif'): parseArgs reads it as options and says
 * "Unknown option '-0'", which names neither the file nor a way to give it.
 */
export function dashedFile(argv: readonly string[], allowPositionals: boolean): string | null {
  if (!allowPositionals) return null;
  const end = argv.indexOf('--');
  const file = (end < 0 ? argv : argv.slice(0, end)).find(
    (a) => /^-[^-]/.test(a) && !/^-h$/.test(a) && existsSync(a),
  );
  return file
    ? `'${file}' is a file, but a name starting with '-' reads as options: write it as ./${file}, ` +
        `or put it after '--' at the end of the command`
    : null;
}
