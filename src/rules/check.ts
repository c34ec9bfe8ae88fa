import type { Node } from "./cql/ast.js";
import { CATALOG_ONLY_GLOBALS } from "./catalog-only.js";
import { FUNCTIONS, HANDLE_METHODS, unknownName } from "./globals.js";
import { unknownMethod } from "./methods.js";

const NAMESPACES = new Set<string>(["git", "entity", "ownership", ...CATALOG_ONLY_GLOBALS]);
const CALLABLE = new Set<string>([...Object.keys(FUNCTIONS), ...CATALOG_ONLY_GLOBALS]);

/**
 * Finds a name nobody knows before evaluation, wherever it is in the expression. Evaluation
 * short-circuits (`true or typo()` never reaches `typo`), and an unknown left side would make the
 * whole rule a skip; either way a misspelt function would pass or skip silently. Returns the
 * message of the first problem, in source order.
 */
export function checkNames(node: Node, bound: ReadonlySet<string> = new Set()): string | undefined {
  switch (node.kind) {
    case "literal":
      return undefined;
    case "identifier":
      if (bound.has(node.name) || NAMESPACES.has(node.name)) return undefined;
      if (node.name in FUNCTIONS) return `${node.name} is a function: call it as ${node.name}(…)`;
      return unknownName(node.name).message;
    case "array":
      return first(node.items.map((n) => () => checkNames(n, bound)));
    case "lambda":
      return checkNames(node.body, new Set([...bound, ...node.params]));
    case "member":
      return checkNames(node.object, bound);
    case "index":
      return first([() => checkNames(node.object, bound), () => checkNames(node.index, bound)]);
    case "call": {
      const callee = node.callee;
      const args = [...node.args, ...node.named.map((n) => n.value)].map((n) => () => checkNames(n, bound));
      if (callee.kind === "identifier" && !bound.has(callee.name)) {
        if (!CALLABLE.has(callee.name)) return unknownName(callee.name).message;
        return first(args);
      }
      if (callee.kind === "member" && callee.object.kind === "identifier" && !bound.has(callee.object.name)) {
        const methods = (HANDLE_METHODS as Readonly<Record<string, readonly string[]>>)[callee.object.name];
        if (methods && !methods.includes(callee.property)) return unknownMethod(callee.property, `\`${callee.object.name}\``, methods).message;
      }
      return first([() => checkNames(callee, bound), ...args]);
    }
    case "unary":
      return checkNames(node.operand, bound);
    case "binary":
      return first([() => checkNames(node.left, bound), () => checkNames(node.right, bound)]);
    case "conditional":
      return first([() => checkNames(node.test, bound), () => checkNames(node.consequent, bound), () => checkNames(node.alternate, bound)]);
  }
}

function first(checks: readonly (() => string | undefined)[]): string | undefined {
  for (const c of checks) {
    const r = c();
    if (r) return r;
  }
  return undefined;
}
