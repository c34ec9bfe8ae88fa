import { closest } from "../text.js";
import type { EvalEnv } from "./context.js";
import { RegexSyntax, RegexTimeout } from "./regex.js";
import { Duration, EvalError, HandleValue, isPlainObject, isUnknown, Lambda, Semver, show, typeName, Unknown, type Value } from "./values.js";

export type Invoke = (fn: Lambda, args: readonly Value[]) => Promise<Value>;

function expectString(v: Value, what: string): string {
  if (typeof v !== "string") throw new EvalError(`${what} expects a string, got ${typeName(v)}`);
  return v;
}
function expectLambda(v: Value, what: string): Lambda {
  if (!(v instanceof Lambda)) throw new EvalError(`${what} expects a lambda like (x) => …, got ${typeName(v)}`);
  return v;
}
function expectBool(v: Value, what: string): boolean | Unknown {
  if (isUnknown(v)) return v;
  if (typeof v !== "boolean") throw new EvalError(`${what}: the lambda must return true or false, got ${typeName(v)}`);
  return v;
}

export function regexTest(env: EvalEnv, pattern: Value, input: string, whole: boolean, what: string): boolean {
  const p = expectString(pattern, what);
  try {
    const ok = env.regex.test(p, input, whole);
    if (!ok) env.notes.push(`${show(input)} does not ${whole ? "match" : "contain a match for"} /${p}/`);
    return ok;
  } catch (e) {
    if (e instanceof RegexTimeout || e instanceof RegexSyntax) throw new EvalError(e.message);
    throw e;
  }
}

const STRING_METHODS = [
  "contains",
  "endsWith",
  "equalsIgnoreCase",
  "indexOf",
  "isEmpty",
  "length",
  "lines",
  "matches",
  "matchesIn",
  "replace",
  "split",
  "startsWith",
  "substring",
  "toLowerCase",
  "toUpperCase",
  "trim",
];
const LIST_METHODS = ["all", "any", "contains", "count", "distinct", "filter", "first", "flatten", "isEmpty", "join", "last", "length", "map", "max", "min", "none", "size", "sum"];

function stringMethod(env: EvalEnv, s: string, name: string, args: readonly Value[]): Value {
  const a = (i: number) => args[i] ?? null;
  switch (name) {
    case "length":
      return s.length;
    case "isEmpty":
      return s.length === 0;
    case "matches":
      return regexTest(env, a(0), s, true, ".matches()");
    case "matchesIn":
      return regexTest(env, a(0), s, false, ".matchesIn()");
    case "contains": {
      const ok = s.includes(expectString(a(0), ".contains()"));
      if (!ok) env.notes.push(`${show(s)} does not contain ${show(a(0))}`);
      return ok;
    }
    case "startsWith":
      return s.startsWith(expectString(a(0), ".startsWith()"));
    case "endsWith":
      return s.endsWith(expectString(a(0), ".endsWith()"));
    case "equalsIgnoreCase":
      return typeof a(0) === "string" && s.toLowerCase() === (a(0) as string).toLowerCase();
    case "indexOf":
      return s.indexOf(expectString(a(0), ".indexOf()"));
    case "toLowerCase":
      return s.toLowerCase();
    case "toUpperCase":
      return s.toUpperCase();
    case "trim":
      return s.trim();
    case "split":
      return s.split(expectString(a(0), ".split()"));
    case "lines": {
      // Like Java's String.lines(): a final line terminator does not start another line.
      const lines = s.split(/\r\n|\r|\n/);
      if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
      return lines;
    }
    case "replace":
      return s.split(expectString(a(0), ".replace()")).join(expectString(a(1), ".replace()"));
    case "substring": {
      const from = typeof a(0) === "number" ? (a(0) as number) : 0;
      return typeof a(1) === "number" ? s.substring(from, a(1) as number) : s.substring(from);
    }
    default:
      throw unknownMethod(name, "a string", STRING_METHODS);
  }
}

async function listMethod(list: readonly Value[], name: string, args: readonly Value[], invoke: Invoke): Promise<Value> {
  const what = `.${name}()`;
  switch (name) {
    case "length":
    case "size":
      return list.length;
    case "isEmpty":
      return list.length === 0;
    case "first":
      return list[0] ?? null;
    case "last":
      return list[list.length - 1] ?? null;
    case "contains":
      return list.some((x) => valuesEqual(x, args[0] ?? null) === true);
    case "join":
      return list.map((x) => (typeof x === "string" ? x : show(x))).join(typeof args[0] === "string" ? args[0] : ",");
    case "flatten":
      return list.flatMap((x) => (Array.isArray(x) ? (x as Value[]) : [x]));
    case "distinct":
      return list.filter((x, i) => list.findIndex((y) => valuesEqual(x, y) === true) === i);
    case "sum":
    case "min":
    case "max": {
      if (list.some(isUnknown)) return new Unknown(`a list element is unknown`);
      const nums = list.map((x) => {
        if (typeof x !== "number") throw new EvalError(`${what} needs a list of numbers, found ${typeName(x)}`);
        return x;
      });
      if (name === "sum") return nums.reduce((s, x) => s + x, 0);
      if (nums.length === 0) return null;
      return name === "min" ? Math.min(...nums) : Math.max(...nums);
    }
    case "map": {
      const fn = expectLambda(args[0] ?? null, what);
      const out: Value[] = [];
      for (const x of list) out.push(await invoke(fn, [x]));
      return out;
    }
    case "filter":
    case "count": {
      const fn = expectLambda(args[0] ?? null, what);
      const out: Value[] = [];
      for (const x of list) {
        const keep = expectBool(await invoke(fn, [x]), what);
        if (isUnknown(keep)) return keep;
        if (keep) out.push(x);
      }
      return name === "count" ? out.length : out;
    }
    case "any":
    case "all":
    case "none": {
      const fn = expectLambda(args[0] ?? null, what);
      // Kleene: any = OR over the elements, all = AND; an unknown element decides nothing alone.
      let unknown: Unknown | undefined;
      for (const x of list) {
        const r = expectBool(await invoke(fn, [x]), what);
        if (isUnknown(r)) unknown ??= r;
        else if (name === "all" ? !r : r) return name === "any";
      }
      if (unknown) return unknown;
      return name !== "any";
    }
    default:
      throw unknownMethod(name, "a list", LIST_METHODS);
  }
}

export function unknownMethod(name: string, on: string, known: readonly string[]): EvalError {
  const near = closest(name, known);
  return new EvalError(`${on} has no method ${name}()${near ? ` — did you mean ${near}()?` : ""}`);
}

const SEMVER_METHODS = ["isPrerelease", "isStable", "major", "minor", "patch", "toString"];
const OBJECT_METHODS = ["containsKey", "get", "keys"];

function semverMethod(v: Semver, name: string): Value {
  switch (name) {
    case "major":
      return v.parts[0] ?? 0;
    case "minor":
      return v.parts[1] ?? 0;
    case "patch":
      return v.parts[2] ?? 0;
    case "isPrerelease":
      return v.prerelease !== "";
    case "isStable":
      // Semantic Versioning §4 and §9: 0.y.z is initial development, a pre-release is unstable.
      return v.prerelease === "" && (v.parts[0] ?? 0) >= 1;
    case "toString":
      return v.text;
    default:
      throw unknownMethod(name, "a semver", SEMVER_METHODS);
  }
}

/**
 * Whether `target.name(…)` names a method at all, so an unknown method is an error even when an
 * argument is unknown (a typo must never hide behind missing catalog data).
 */
export function assertMethod(target: Value, name: string): void {
  const known =
    typeof target === "string"
      ? STRING_METHODS
      : Array.isArray(target)
        ? LIST_METHODS
        : target instanceof Semver
          ? SEMVER_METHODS
          : isPlainObject(target)
            ? undefined // objects may carry lambdas; decided when called
            : [];
  if (known && !known.includes(name)) {
    if (target === null || target instanceof Duration || typeof target === "number" || typeof target === "boolean") throw new EvalError(`cannot call ${name}() on ${typeName(target)}`);
    throw unknownMethod(name, typeName(target), known);
  }
}

/** `target.name(args)` for plain values; handles are dispatched by the evaluator. */
export async function callMethod(env: EvalEnv, target: Value, name: string, args: readonly Value[], invoke: Invoke): Promise<Value> {
  if (typeof target === "string") return stringMethod(env, target, name, args);
  if (Array.isArray(target)) return listMethod(target, name, args, invoke);
  if (target instanceof Semver) return semverMethod(target, name);
  if (target instanceof Duration) throw unknownMethod(name, typeName(target), []);
  if (isPlainObject(target)) {
    if (name === "get") return (target as Record<string, Value>)[String(args[0])] ?? null;
    if (name === "keys") return Object.keys(target);
    if (name === "containsKey") return String(args[0]) in target;
    const prop = (target as Record<string, Value>)[name];
    if (prop instanceof Lambda) return invoke(prop, args);
    throw unknownMethod(name, "an object", OBJECT_METHODS);
  }
  if (target === null) throw new EvalError(`cannot call ${name}() on null`);
  throw new EvalError(`cannot call ${name}() on ${typeName(target)}`);
}

/** `target.name` for plain values. */
export function getProperty(target: Value, name: string): Value {
  if (typeof target === "string" && name === "length") return target.length;
  if (Array.isArray(target)) {
    if (name === "length" || name === "size") return target.length;
    // `owners.name` style projection over a list of objects.
    return target.map((x) => (isPlainObject(x) ? ((x as Record<string, Value>)[name] ?? null) : null));
  }
  if (isPlainObject(target)) return (target as Record<string, Value>)[name] ?? null;
  if (target === null) throw new EvalError(`cannot read .${name} of null`);
  if (target instanceof HandleValue) throw new EvalError(`${target.handle.handleName}.${name} is a method: call it as ${name}()`);
  throw new EvalError(`${typeName(target)} has no property .${name}`);
}

/** Equality with three-valued logic: unknown when either side is. */
export function valuesEqual(a: Value, b: Value): boolean | Unknown {
  if (isUnknown(a)) return a;
  if (isUnknown(b)) return b;
  if (a instanceof HandleValue || b instanceof HandleValue) {
    // `slack != null` asks whether the integration is set up for the entity: only the catalog
    // knows, so a catalog-only namespace answers unknown; `ownership` answers from the descriptor.
    const handle = a instanceof HandleValue ? a : (b as HandleValue);
    if (a === null || b === null) return handle.handle.isNull ?? false;
    return a === b;
  }
  const sa = a instanceof Semver ? a : typeof a === "string" && b instanceof Semver ? parseSemver(a) : undefined;
  const sb = b instanceof Semver ? b : typeof b === "string" && a instanceof Semver ? parseSemver(b) : undefined;
  if (sa && sb) return compareSemver(sa, sb) === 0;
  if (a instanceof Duration && b instanceof Duration) return a.ms === b.ms;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    return a.every((x, i) => valuesEqual(x, b[i] ?? null) === true);
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => valuesEqual((a as Record<string, Value>)[k] ?? null, (b as Record<string, Value>)[k] ?? null) === true);
  }
  // The catalog compares custom data loosely: `custom("x") == "100"` holds for the number 100.
  if ((typeof a === "number" && typeof b === "string") || (typeof a === "string" && typeof b === "number")) return String(a) === String(b);
  return a === b;
}

export function compareSemver(a: Semver, b: Semver): number {
  for (let i = 0; i < Math.max(a.parts.length, b.parts.length); i++) {
    const d = (a.parts[i] ?? 0) - (b.parts[i] ?? 0);
    if (d) return Math.sign(d);
  }
  if (a.prerelease === b.prerelease) return 0;
  if (!a.prerelease) return 1;
  if (!b.prerelease) return -1;
  // Semantic Versioning §11: dot-separated identifiers, numeric ones compared as numbers and
  // lower than alphanumeric ones; a shorter list that is a prefix of the other is lower.
  const pa = a.prerelease.split(".");
  const pb = b.prerelease.split(".");
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Math.sign(Number(x) - Number(y));
    if (nx !== ny) return nx ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

export function parseSemver(text: string): Semver | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text.trim());
  if (!m) return undefined;
  return new Semver(text.trim(), [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)], m[4] ?? "");
}

/** ISO-8601 durations: P1Y, P30D, P1W, PT1H, P-90D. Years and months use 365 and 30 days. */
export function parseDuration(text: string): Duration | undefined {
  const m = /^(-)?P(?:(-?\d+)Y)?(?:(-?\d+)M)?(?:(-?\d+)W)?(?:(-?\d+)D)?(?:T(?:(-?\d+)H)?(?:(-?\d+)M)?(?:(-?\d+(?:\.\d+)?)S)?)?$/.exec(text.trim());
  if (!m || text.trim() === "P") return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  const days = n(2) * 365 + n(3) * 30 + n(4) * 7 + n(5);
  const ms = ((days * 24 + n(6)) * 60 + n(7)) * 60_000 + n(8) * 1000;
  return new Duration(text.trim(), m[1] ? -ms : ms);
}
