import type { Node } from "./cql/ast.js";
import type { EvalEnv } from "./context.js";
import { FUNCTIONS, globalValue, isCatalogOnlyFunction, unknownName } from "./globals.js";
import { assertMethod, callMethod, compareSemver, getProperty, parseSemver, unknownMethod, valuesEqual } from "./methods.js";
import { Duration, EvalError, HandleValue, isUnknown, Lambda, Semver, show, typeName, Unknown, type Value } from "./values.js";

type Scope = ReadonlyMap<string, Value>;

/**
 * Evaluates a CQL tree with three-valued logic: `Unknown` propagates through everything except
 * `and`/`or`, which follow Kleene's rules (`false and unknown` is false, `true or unknown` is
 * true). A broken rule throws `EvalError`, which the engine reports as the `error` outcome.
 */
export function evaluate(node: Node, env: EvalEnv, scope: Scope = new Map()): Promise<Value> {
  return new Evaluator(env).eval(node, scope);
}

class Evaluator {
  constructor(private readonly env: EvalEnv) {}

  private readonly invoke = async (fn: Lambda, args: readonly Value[]): Promise<Value> => {
    const scope = new Map(fn.scope);
    fn.params.forEach((p, i) => scope.set(p, args[i] ?? null));
    return this.eval(fn.body, scope);
  };

  async eval(node: Node, scope: Scope): Promise<Value> {
    switch (node.kind) {
      case "literal":
        return node.value;
      case "identifier": {
        if (scope.has(node.name)) return scope.get(node.name) ?? null;
        const v = globalValue(this.env, node.name);
        if (v !== undefined) return v;
        if (node.name in FUNCTIONS) throw new EvalError(`${node.name} is a function: call it as ${node.name}(…)`);
        throw unknownName(node.name);
      }
      case "array": {
        const out: Value[] = [];
        for (const item of node.items) out.push(await this.eval(item, scope));
        return out;
      }
      case "lambda":
        return new Lambda(node.params, node.body, scope);
      case "member": {
        const target = await this.eval(node.object, scope);
        if (isUnknown(target)) return target;
        if (target === null && node.optional) return null;
        if (target instanceof HandleValue) {
          const h = target.handle;
          if (h.get) return h.get(node.property);
          throw new EvalError(`${h.handleName}.${node.property} is a method: call it as ${node.property}()`);
        }
        return getProperty(target, node.property);
      }
      case "index": {
        const target = await this.eval(node.object, scope);
        const index = await this.eval(node.index, scope);
        if (isUnknown(target)) return target;
        if (isUnknown(index)) return index;
        if (Array.isArray(target) && typeof index === "number") return target.at(index) ?? null;
        if (typeof target === "string" && typeof index === "number") return target.at(index) ?? null;
        if (target && typeof target === "object" && !Array.isArray(target) && typeof index === "string") return getProperty(target, index);
        throw new EvalError(`cannot index ${typeName(target)} with ${typeName(index)}`);
      }
      case "call":
        return this.call(node, scope);
      case "unary": {
        const v = await this.eval(node.operand, scope);
        if (isUnknown(v)) return v;
        if (node.operator === "!") {
          if (v === null) return true;
          if (typeof v !== "boolean") throw new EvalError(`"!" needs true or false, got ${typeName(v)} ${show(v)}`);
          return !v;
        }
        if (typeof v !== "number") throw new EvalError(`"-" needs a number, got ${typeName(v)}`);
        return -v;
      }
      case "conditional": {
        const t = await this.eval(node.test, scope);
        if (isUnknown(t)) return t;
        if (t === null) return this.eval(node.alternate, scope);
        if (typeof t !== "boolean") throw new EvalError(`the condition of "? :" must be true or false, got ${typeName(t)}`);
        return this.eval(t ? node.consequent : node.alternate, scope);
      }
      case "binary":
        return this.binary(node, scope);
    }
  }

  private async call(node: Extract<Node, { kind: "call" }>, scope: Scope): Promise<Value> {
    const args: Value[] = [];
    for (const a of node.args) args.push(await this.eval(a, scope));
    const named = new Map<string, Value>();
    for (const n of node.named) named.set(n.name, await this.eval(n.value, scope));
    // Every function and method is strict: an unknown argument makes the result unknown. The
    // callee is checked first, so a misspelt name is an error even with an unknown argument.
    const unknownArg = [...args, ...named.values()].find(isUnknown);
    const callee = node.callee;

    if (callee.kind === "identifier") {
      if (scope.has(callee.name)) {
        const fn = scope.get(callee.name);
        if (fn instanceof Lambda) return this.invoke(fn, args);
        throw new EvalError(`${callee.name} is not a function`);
      }
      const fn = FUNCTIONS[callee.name];
      if (fn) return unknownArg ?? fn(this.env, args, named, (v, f) => this.env.jq.run(v, f));
      if (isCatalogOnlyFunction(callee.name)) return new Unknown(`${callee.name}() needs data only the catalog collects`);
      throw unknownName(callee.name);
    }
    if (callee.kind === "member") {
      const target = await this.eval(callee.object, scope);
      if (isUnknown(target)) return target;
      if (target === null && callee.optional) return null;
      if (target instanceof HandleValue) {
        const h = target.handle;
        if (h.methods.length && !h.methods.includes(callee.property)) throw unknownMethod(callee.property, `\`${h.handleName}\``, h.methods);
        if (unknownArg) return unknownArg;
        const r = await h.call(callee.property, args, named);
        if (r === undefined) throw unknownMethod(callee.property, `\`${h.handleName}\``, h.methods);
        return r;
      }
      // Null-safe like the catalog's Groovy heritage: a method of a missing file's contents is
      // null, which a rule reads as false (the notes already say the file is missing).
      if (target === null) return null;
      assertMethod(target, callee.property);
      if (unknownArg) return unknownArg;
      return callMethod(this.env, target, callee.property, args, this.invoke);
    }
    throw new EvalError("only names can be called");
  }

  private async binary(node: Extract<Node, { kind: "binary" }>, scope: Scope): Promise<Value> {
    const op = node.operator;
    if (op === "and" || op === "or") {
      const left = await this.eval(node.left, scope);
      const l = this.bool(left, op);
      if (l === (op === "or")) return l; // short-circuit: false and …, true or …
      const r = this.bool(await this.eval(node.right, scope), op);
      if (r === (op === "or")) return r;
      if (isUnknown(l)) return l;
      if (isUnknown(r)) return r;
      return op === "and";
    }
    const left = await this.eval(node.left, scope);
    const right = await this.eval(node.right, scope);
    if (op === "==" || op === "!=") {
      const eq = valuesEqual(left, right);
      if (isUnknown(eq)) return eq;
      if (!eq && op === "==") this.env.notes.push(`${describe(node.left)} is ${show(left)}, not ${show(right)}`);
      return op === "==" ? eq : !eq;
    }
    if (isUnknown(left)) return left;
    if (isUnknown(right)) return right;
    if (op === "<" || op === "<=" || op === ">" || op === ">=") {
      const c = compare(left, right, op);
      const ok = op === "<" ? c < 0 : op === "<=" ? c <= 0 : op === ">" ? c > 0 : c >= 0;
      if (!ok) this.env.notes.push(`${describe(node.left)} is ${show(left)}, not ${op} ${show(right)}`);
      return ok;
    }
    if (op === "+" && (typeof left === "string" || typeof right === "string")) {
      return `${typeof left === "string" ? left : show(left)}${typeof right === "string" ? right : show(right)}`;
    }
    if (op === "+" && Array.isArray(left) && Array.isArray(right)) return [...left, ...right];
    const a = toNumber(left, op);
    const b = toNumber(right, op);
    switch (op) {
      case "+":
        return a + b;
      case "-":
        return a - b;
      case "*":
        return a * b;
      case "/":
        if (b === 0) throw new EvalError("division by zero");
        return a / b;
      case "%":
        if (b === 0) throw new EvalError("division by zero");
        return a % b;
    }
  }

  private bool(v: Value, op: string): boolean | Unknown {
    if (isUnknown(v) || typeof v === "boolean") return v;
    if (v === null) return false; // null is false in a condition, as in Groovy
    throw new EvalError(`"${op}" needs true or false on both sides, got ${typeName(v)} ${show(v)}`);
  }
}

function toNumber(v: Value, op: string): number {
  if (typeof v === "number") return v;
  if (v instanceof Duration) return v.ms;
  throw new EvalError(`"${op}" needs numbers, got ${typeName(v)} ${show(v)}`);
}

function compare(a: Value, b: Value, op: string): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Semver && b instanceof Semver) return compareSemver(a, b);
  // `semver(v) >= "1.2.0"`: the text side is read as a version when it is one.
  if (a instanceof Semver && typeof b === "string" && parseSemver(b)) return compareSemver(a, parseSemver(b)!);
  if (b instanceof Semver && typeof a === "string" && parseSemver(a)) return compareSemver(parseSemver(a)!, b);
  if (a instanceof Duration && b instanceof Duration) return a.ms - b.ms;
  // Custom data often arrives as text: "85" > 75 compares numerically, as the catalog does.
  if (typeof a === "string" && typeof b === "number" && a.trim() !== "" && !Number.isNaN(Number(a))) return Number(a) - b;
  if (typeof a === "number" && typeof b === "string" && b.trim() !== "" && !Number.isNaN(Number(b))) return a - Number(b);
  throw new EvalError(`cannot compare ${typeName(a)} ${show(a)} ${op} ${typeName(b)} ${show(b)}`);
}

/** A short source-like rendering of a node, for messages ("git.fileContents(\"x\")"). */
export function describe(node: Node): string {
  switch (node.kind) {
    case "literal":
      return JSON.stringify(node.value);
    case "identifier":
      return node.name;
    case "member":
      return `${describe(node.object)}${node.optional ? "?." : "."}${node.property}`;
    case "call":
      return `${describe(node.callee)}(${node.args.map(describe).join(", ")})`;
    case "index":
      return `${describe(node.object)}[${describe(node.index)}]`;
    default:
      return "the expression";
  }
}
