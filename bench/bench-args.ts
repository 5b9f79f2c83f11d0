// Command lines of the benchmarks: --help prints the usage, and a mistyped option or value is refused in one line
// with the usage (exit 2, as the CLI refuses one) rather than with a stack trace, or ignored so that a bench
// measures nothing (an unknown --only part) or runs for minutes when asked for help.
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Refuses the command line: `message`, then the usage, on stderr; exit status 2. */
export function usageError(bench: string, usage: string, message: string): never {
  console.error(`bench:${bench}: ${message}\n${usage}`);
  process.exit(2);
}

/** True (after printing the usage) when the command line asks for help. */
function printedHelp(usage: string, args: readonly string[]): boolean {
  if (!args.includes('--help') && !args.includes('-h')) return false;
  console.log(usage);
  return true;
}

/** Exits 0 after printing the usage when the command line asks for help. */
export function helpOnly(usage: string, args: readonly string[] = process.argv.slice(2)): void {
  if (printedHelp(usage, args)) process.exit(0);
}

/** The bench's options (strict: unknown options and positionals are refused); --help prints `usage` and exits. */
export function benchArgs<T extends Options>(
  bench: string,
  usage: string,
  options: T,
  args: string[] = process.argv.slice(2),
) {
  helpOnly(usage, args);
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    return usageError(bench, usage, err instanceof Error ? err.message : String(err));
  }
}

/** `value` when it is one of `allowed` (or absent), else refused. */
export function oneOf<const A extends readonly string[]>(
  bench: string,
  usage: string,
  name: string,
  value: string | undefined,
  allowed: A,
): A[number] | undefined {
  if (value === undefined || (allowed as readonly string[]).includes(value)) return value;
  return usageError(bench, usage, `--${name} takes ${allowed.join(', ')}; got '${value}'`);
}

/** `value` as a positive integer (`fallback` when absent), else refused. */
export function positiveInt(
  bench: string,
  usage: string,
  name: string,
  value: string | undefined,
  fallback: number,
): number {
  const n = value === undefined ? fallback : Number(value);
  if (Number.isInteger(n) && n > 0) return n;
  return usageError(bench, usage, `${name} must be a positive integer; got '${value}'`);
}
