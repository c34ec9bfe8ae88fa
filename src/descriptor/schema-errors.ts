import type { ErrorObject } from "ajv";
import { closest, describeValue, suggestKey } from "../text.js";
import { pointerParts } from "../yaml/locate.js";

/** One schema problem in plain words, with the JSON path it concerns. */
export interface SchemaProblem {
  readonly path: (string | number)[];
  /** Point at the key (for "unknown key", "required") rather than at its value. */
  readonly atKey: boolean;
  readonly message: string;
  readonly hint?: string;
  /**
   * `unknown-key`: a key the schema does not allow here (reported as UNKNOWN_KEY for descriptors);
   * `misspelt`: a required key is missing and this sibling looks like it.
   */
  readonly kind?: "unknown-key" | "misspelt";
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

const TYPE_HINTS: Record<string, string> = {
  object: "Write it as indented `key: value` lines under it.",
  array: "Write it as a list: one `- item` per line, indented under it.",
  string: 'Write it as text; quote it ("…") if it looks like a number, a date, true/false or a list.',
  number: "Write a number without quotes.",
  integer: "Write a whole number without quotes.",
  boolean: "Write true or false without quotes.",
};

/**
 * ajv's errors → plain sentences ("`info.title` is required", not "must have required property").
 * `if`/`then` wrappers are dropped: the inner error already says what is wrong. Duplicates (the
 * same path and message) are reported once.
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
  // "`repository` is required; found `repo`" already says all that "unknown key `repo`" would.
  const misspelt = new Set(out.filter((p) => p.kind === "misspelt").map((p) => p.path.join("/")));
  return out.filter((p) => p.kind !== "unknown-key" || !misspelt.has(p.path.join("/")));
}

function valueAt(root: unknown, parts: readonly (string | number)[]): unknown {
  let v: unknown = root;
  for (const p of parts) v = v && typeof v === "object" ? (v as Record<string | number, unknown>)[p] : undefined;
  return v;
}

function explain(e: ErrorObject, root: unknown): SchemaProblem | undefined {
  const parts = pointerParts(e.instancePath);
  const value = valueAt(root, parts);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return required(parts, String(params.missingProperty), value, knownKeys(e.parentSchema));
    case "type":
      return wrongType(parts, String(params.type), value);
    case "enum":
      return notInEnum(parts, (params.allowedValues as unknown[]).map(String), value);
    case "additionalProperties":
      return unknownKey(parts, String(params.additionalProperty), e.parentSchema);
    case "minLength":
    case "minProperties":
    case "minItems":
      return empty(parts);
    case "pattern":
      return { path: parts, atKey: false, message: `${name(parts)} ${describeValue(value)} ${patternWords(String(params.pattern))}`, hint: "Remove the spaces or change the value." };
    case "dependencies":
    case "dependentRequired":
      return {
        path: parts,
        atKey: true,
        message: `${name(parts)} has \`${String(params.property)}\` but not \`${String(params.missingProperty)}\`; they go together`,
        hint: `Add \`${String(params.missingProperty)}:\`, or remove \`${String(params.property)}\`.`,
      };
    case "if":
    case "allOf":
      return undefined;
    default:
      return { path: parts, atKey: false, message: `${name(parts)} ${e.message ?? "is invalid"}`, hint: "Change the value to what the message asks for." };
  }
}

const name = (parts: readonly (string | number)[]) => `\`${displayPath(parts)}\``;

function required(parts: (string | number)[], missing: string, value: unknown, known: readonly string[]): SchemaProblem {
  const siblings = value && typeof value === "object" && !Array.isArray(value) ? Object.keys(value as object) : [];
  // A sibling that is itself a valid key (`x-cortex-type`) is not a misspelling of the missing one.
  const near = suggestKey(missing, siblings.filter((s) => s !== missing && !known.includes(s)));
  const message = `\`${displayPath([...parts, missing])}\` is required`;
  // A near-miss spelling is where the user's eye should go, not the parent block.
  if (near) return { path: [...parts, near], atKey: true, kind: "misspelt", message: `${message}; found "${near}" instead`, hint: `Rename "${near}" to "${missing}".` };
  return { path: parts, atKey: true, message, hint: `Add \`${missing}:\` under ${name(parts)}.` };
}

function wrongType(parts: (string | number)[], types: string, value: unknown): SchemaProblem {
  const list = types.split(",");
  const want = list.map((t) => TYPE_WORDS[t] ?? t).join(" or ");
  if (value === null && !list.includes("null")) {
    return { path: parts, atKey: true, message: `${name(parts)} is empty; it must be ${want}`, hint: `Give it a value, or delete the \`${String(parts.at(-1) ?? "")}:\` line.` };
  }
  return { path: parts, atKey: false, message: `${name(parts)} must be ${want}, found ${describeValue(value)}`, hint: TYPE_HINTS[list[0] ?? ""] ?? "Change the value's type." };
}

function notInEnum(parts: (string | number)[], allowed: string[], value: unknown): SchemaProblem {
  const upper = [...new Set(allowed.map((a) => a.toUpperCase()))];
  const near = typeof value === "string" ? closest(value, upper) : undefined;
  return {
    path: parts,
    atKey: false,
    message: `${name(parts)} must be one of ${upper.join(", ")}, found ${describeValue(value)}`,
    hint: near ? `Did you mean ${near}?` : `Use one of ${upper.join(", ")}.`,
  };
}

/** The keys a schema declares (ajv passes the schema along when created with `verbose`). */
function knownKeys(schema: unknown): string[] {
  return Object.keys((schema as { properties?: object } | undefined)?.properties ?? {});
}

function unknownKey(parts: (string | number)[], extra: string, parentSchema: unknown): SchemaProblem {
  const known = knownKeys(parentSchema);
  const near = suggestKey(extra, known);
  return {
    path: [...parts, extra],
    atKey: true,
    kind: "unknown-key",
    message: `${name(parts)} has an unknown key "${extra}"${near ? `; did you mean "${near}"?` : ""}`,
    hint: near ? `Rename "${extra}" to "${near}".` : known.length ? `Remove it; allowed here: ${known.join(", ")}.` : "Remove it, or check its spelling.",
  };
}

function empty(parts: (string | number)[]): SchemaProblem {
  const last = parts.at(-1);
  return {
    path: parts,
    atKey: true,
    message: `${name(parts)} is empty`,
    hint: last === "x-cortex-git" ? "Name the provider: bitbucket: { repository: workspace/repo }." : `Give it a value, or delete the \`${String(last ?? "")}:\` line.`,
  };
}

function patternWords(pattern: string): string {
  return pattern === "^\\S+$" ? "must not contain spaces" : `does not match the pattern ${pattern}`;
}
