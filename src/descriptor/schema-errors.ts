import type { ErrorObject } from "ajv";
import { closest, describeValue } from "../text.js";
import { pointerParts } from "../yaml/locate.js";

/** One schema problem in plain words, with the JSON path it concerns. */
export interface SchemaProblem {
  readonly path: (string | number)[];
  /** Point at the key (for "unknown key") rather than at its value. */
  readonly atKey: boolean;
  readonly message: string;
  readonly hint?: string;
}

export function displayPath(parts: readonly (string | number)[]): string {
  let out = "";
  for (const p of parts) out += typeof p === "number" ? `[${p}]` : out ? `.${p}` : p;
  return out || "the document";
}

const TYPE_WORDS: Record<string, string> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  integer: "a whole number",
  boolean: "true or false",
  null: "empty",
};

/**
 * ajv's errors → plain sentences ("`info.title` is required", not "must have required property").
 * `if`/`then` wrappers are dropped: the inner error already says what is wrong.
 */
export function explainSchemaErrors(errors: readonly ErrorObject[], root: unknown): SchemaProblem[] {
  const out: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const e of errors) {
    const problem = explain(e, root);
    if (!problem) continue;
    const key = `${problem.path.join("/")}|${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(problem);
  }
  return out;
}

function valueAt(root: unknown, parts: readonly (string | number)[]): unknown {
  let v: unknown = root;
  for (const p of parts) v = v && typeof v === "object" ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

function explain(e: ErrorObject, root: unknown): SchemaProblem | undefined {
  const parts = pointerParts(e.instancePath);
  const name = `\`${displayPath(parts)}\``;
  const value = valueAt(root, parts);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required": {
      const missing = String(params.missingProperty);
      const siblings = value && typeof value === "object" ? Object.keys(value as object) : [];
      const near = closest(missing, siblings);
      return {
        path: parts,
        atKey: true,
        message: `\`${displayPath([...parts, missing])}\` is required`,
        ...(near ? { hint: `Found "${near}" here: did you mean "${missing}"?` } : { hint: `Add \`${missing}:\` under ${name}.` }),
      };
    }
    case "type": {
      const want = String(params.type)
        .split(",")
        .map((t) => TYPE_WORDS[t] ?? t)
        .join(" or ");
      return { path: parts, atKey: false, message: `${name} must be ${want}, found ${describeValue(value)}` };
    }
    case "enum": {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const upper = [...new Set(allowed.map((a) => a.toUpperCase()))];
      const near = typeof value === "string" ? closest(value, upper) : undefined;
      return {
        path: parts,
        atKey: false,
        message: `${name} must be one of ${upper.join(", ")}, found ${describeValue(value)}`,
        ...(near ? { hint: `Did you mean "${near}"?` } : {}),
      };
    }
    case "additionalProperties": {
      const extra = String(params.additionalProperty);
      const known = Object.keys(((e.parentSchema as { properties?: object } | undefined)?.properties ?? {}) as object);
      const near = closest(extra, known);
      return {
        path: [...parts, extra],
        atKey: true,
        message: `${name} has an unknown key "${extra}"`,
        hint: near ? `Did you mean "${near}"?` : `Allowed here: ${known.join(", ")}.`,
      };
    }
    case "minLength":
      return { path: parts, atKey: false, message: `${name} must not be empty` };
    case "minProperties":
      return {
        path: parts,
        atKey: true,
        message: `${name} is empty`,
        hint: parts.at(-1) === "x-cortex-git" ? "Name the provider: bitbucket: { repository: workspace/repo }." : undefined,
      } as SchemaProblem;
    case "if":
    case "allOf":
      return undefined;
    default:
      return { path: parts, atKey: false, message: `${name} ${e.message ?? "is invalid"}` };
  }
}
