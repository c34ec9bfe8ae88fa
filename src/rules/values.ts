import type { Node } from "./cql/ast.js";

/**
 * Runtime values of CQL. Plain JSON-like data, plus:
 *  - `Unknown`: the value needs data only the catalog has (three-valued logic, SPEC §4);
 *  - `Lambda`: `(x) => …` passed to list methods;
 *  - `Handle`: a namespace object (`git`, `entity`, a catalog-only integration) whose members
 *    are resolved by name.
 */
export class Unknown {
  constructor(readonly reason: string) {}
}

export class Lambda {
  constructor(
    readonly params: readonly string[],
    readonly body: Node,
    readonly scope: ReadonlyMap<string, Value>,
  ) {}
}

export class Semver {
  constructor(
    readonly text: string,
    readonly parts: readonly number[],
    readonly prerelease: string,
  ) {}
}

export class Duration {
  constructor(
    readonly text: string,
    readonly ms: number,
  ) {}
}

export interface Handle {
  readonly handleName: string;
  /** A property (`x.name`). */
  get?(name: string): Value | Promise<Value>;
  /** A method call (`x.name(args)`); `undefined` when the handle has no such method. */
  call(name: string, args: readonly Value[], named: ReadonlyMap<string, Value>): Promise<Value | undefined> | Value | undefined;
  /** Known method names, for "did you mean". */
  readonly methods: readonly string[];
  /**
   * What `x == null` means for this namespace. Absent: never null. A catalog-only integration
   * (`slack != null`) is unknown here; `ownership` is null when the descriptor names no owner.
   */
  readonly isNull?: boolean | Unknown;
}

export type Value =
  | null
  | boolean
  | number
  | string
  | readonly Value[]
  | { readonly [key: string]: Value }
  | Unknown
  | Lambda
  | Semver
  | Duration
  | HandleValue;

/** Wrapper so a handle can never be mistaken for a plain object. */
export class HandleValue {
  constructor(readonly handle: Handle) {}
}

/** A rule is broken (bad regex, unknown function, wrong types): the `error` outcome. */
export class EvalError extends Error {}

export function isUnknown(v: Value): v is Unknown {
  return v instanceof Unknown;
}

export function isPlainObject(v: Value): v is { readonly [key: string]: Value } {
  return (
    typeof v === "object" &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Unknown) &&
    !(v instanceof Lambda) &&
    !(v instanceof Semver) &&
    !(v instanceof Duration) &&
    !(v instanceof HandleValue)
  );
}

export function typeName(v: Value): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (v instanceof Unknown) return "unknown";
  if (v instanceof Lambda) return "a lambda";
  if (v instanceof Semver) return "a semver";
  if (v instanceof Duration) return "a duration";
  if (v instanceof HandleValue) return `\`${v.handle.handleName}\``;
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return "a string";
  if (typeof v === "number") return "a number";
  return "a boolean";
}

/** Short, safe rendering of a value for messages. */
export function show(v: Value): string {
  if (typeof v === "string") return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (v instanceof Semver || v instanceof Duration) return v.text;
  if (v instanceof HandleValue) return v.handle.handleName;
  if (v instanceof Unknown) return "unknown";
  if (v instanceof Lambda) return "lambda";
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** JSON from jq / custom metadata → Value. */
export function fromJson(v: unknown): Value {
  if (v === undefined) return null;
  if (v === null || typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(fromJson);
  if (typeof v === "object") {
    const out: Record<string, Value> = {};
    for (const [k, x] of Object.entries(v)) out[k] = fromJson(x);
    return out;
  }
  return String(v);
}

export function toJson(v: Value): unknown {
  if (v instanceof Semver || v instanceof Duration) return v.text;
  if (v instanceof Unknown || v instanceof Lambda || v instanceof HandleValue) return null;
  if (Array.isArray(v)) return v.map(toJson);
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toJson(x)]));
  return v;
}
