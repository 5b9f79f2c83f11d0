// Tiny hand-written validators for IPC payloads (no dependency). A validator returns null when the value fits,
// or a one-line reason naming the offending field; `guard` turns it into a type guard.

export type Check<T> = ((value: unknown, path: string) => string | null) & { readonly __type?: T };

export function guard<T>(check: Check<T>): (value: unknown) => value is T {
  return (value: unknown): value is T => check(value, 'request') === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isUint8Array(value)) return 'bytes';
  return typeof value;
}

/** Uint8Array (Node's Buffer included), also when it comes from another realm. */
export function isUint8Array(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || Object.prototype.toString.call(value) === '[object Uint8Array]';
}

export function str(opts: { min?: number; max?: number } = {}): Check<string> {
  const min = opts.min ?? 0;
  const max = opts.max ?? 4096;
  return (v, path) =>
    typeof v !== 'string'
      ? `${path} must be a string, got ${describe(v)}`
      : v.length < min || v.length > max
        ? `${path} must have ${min} to ${max} characters, got ${v.length}`
        : // No text anyone types holds one, and PostgreSQL cannot store it (a storage error, not a refusal).
          v.includes('\u0000')
          ? `${path} holds a NUL character`
          : null;
}

export function int(min: number, max: number): Check<number> {
  return (v, path) =>
    typeof v !== 'number' || !Number.isInteger(v)
      ? `${path} must be an integer, got ${describe(v)}`
      : v < min || v > max
        ? `${path} must be between ${min} and ${max}, got ${v}`
        : null;
}

export function num(min: number, max: number): Check<number> {
  return (v, path) =>
    typeof v !== 'number' || !Number.isFinite(v)
      ? `${path} must be a finite number, got ${describe(v)}`
      : v < min || v > max
        ? `${path} must be between ${min} and ${max}, got ${v}`
        : null;
}

export function bool(): Check<boolean> {
  return (v, path) => (typeof v === 'boolean' ? null : `${path} must be a boolean, got ${describe(v)}`);
}

export function literal<const L extends readonly string[]>(...values: L): Check<L[number]> {
  return (v, path) =>
    typeof v === 'string' && values.includes(v) ? null : `${path} must be one of ${values.join(', ')}`;
}

export function bytes(maxLength: number): Check<Uint8Array> {
  return (v, path) =>
    !isUint8Array(v)
      ? `${path} must be bytes (Uint8Array), got ${describe(v)}`
      : v.length > maxLength
        ? `${path} has ${v.length} bytes, more than ${maxLength}`
        : null;
}

export function arrayOf<T>(item: Check<T>, opts: { min?: number; max: number }): Check<T[]> {
  const min = opts.min ?? 0;
  return (v, path) => {
    if (!Array.isArray(v)) return `${path} must be an array, got ${describe(v)}`;
    if (v.length < min || v.length > opts.max) {
      return `${path} must have ${min} to ${opts.max} items, got ${v.length}`;
    }
    for (let i = 0; i < v.length; i++) {
      const err = item(v[i], `${path}[${i}]`);
      if (err) return err;
    }
    return null;
  };
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (v, path) => (v === null ? null : check(v, path));
}

type Field = Check<unknown> & { readonly optional?: true };
type OptionalCheck<T> = Check<T> & { readonly optional: true };

/** A field that may be absent (undefined); present, it must pass `check`. */
export function optional<T>(check: Check<T>): OptionalCheck<T> {
  const c = ((v: unknown, path: string) => (v === undefined ? null : check(v, path))) as Check<T>;
  return Object.assign(c, { optional: true as const });
}

type Infer<C> = C extends Check<infer T> ? T : never;
type OptionalKeys<S> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type RequiredKeys<S> = Exclude<keyof S, OptionalKeys<S>>;
type Shape<S> = { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Infer<S[K]> };

/** A plain object with exactly these fields (unknown fields are refused: they are a sign of a version mismatch). */
export function obj<S extends Record<string, Field>>(
  shape: S,
): Check<{ [K in keyof Shape<S>]: Shape<S>[K] }> {
  const keys = Object.keys(shape);
  return (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || isUint8Array(v)) {
      return `${path} must be an object, got ${describe(v)}`;
    }
    for (const k of Object.keys(v)) if (!keys.includes(k)) return `${path}.${k} is not a known field`;
    const rec = v as Record<string, unknown>;
    for (const k of keys) {
      const err = shape[k](rec[k], `${path}.${k}`);
      if (err) return err;
    }
    return null;
  };
}

/** Adds a cross-field rule to a check. */
export function refine<T>(check: Check<T>, rule: (value: T, path: string) => string | null): Check<T> {
  return (v, path) => check(v, path) ?? rule(v as T, path);
}
