import { Ajv, type ValidateFunction } from "ajv";
import { isMap, isScalar, isSeq, type Document } from "yaml";
import schema from "../../schemas/scorecard.schema.json" with { type: "json" };
import { explainSchemaErrors } from "../descriptor/schema-errors.js";
import { diagnostic, type Diagnostic } from "../diagnostics.js";
import { codeFrame } from "../yaml/frame.js";
import type { LoadedYaml } from "../yaml/load.js";
import { locate } from "../yaml/locate.js";
import { parseCql } from "./cql/parser.js";
import { scalarOffset } from "./scalar-position.js";
import type { EntityFilter, Level, ParsedExpression, Rule, Scorecard } from "./model.js";

let compiled: ValidateFunction | undefined;
const validator = () => (compiled ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema));

export interface ScorecardResult {
  readonly scorecard: Scorecard | undefined;
  readonly diagnostics: Diagnostic[];
}

/**
 * Scorecard YAML → a validated scorecard with every rule's expression parsed. Problems are
 * collected (schema, CQL syntax at the column inside the expression, ladder/level mismatches,
 * duplicate identifiers); a rule whose expression does not parse stays in the scorecard so it is
 * reported as an `error` outcome rather than silently dropped.
 */
export function readScorecard(yaml: LoadedYaml, source = yaml.file): ScorecardResult {
  const { file, value } = yaml;
  const diagnostics: Diagnostic[] = [];
  const at = (parts: (string | number)[], keyOf = false) => {
    const p = locate(yaml.doc, yaml.lineCounter, parts, { keyOf });
    return { place: { file, line: p.line, column: p.column }, frame: codeFrame(yaml.text, p.line, p.column) };
  };
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    diagnostics.push(diagnostic("SCORECARD_SCHEMA", "error", `${file} is not a scorecard (expected a mapping with tag, name and rules)`, at([])));
    return { scorecard: undefined, diagnostics };
  }
  const validate = validator();
  validate(value);
  for (const p of explainSchemaErrors(validate.errors ?? [], value)) {
    diagnostics.push(diagnostic("SCORECARD_SCHEMA", "error", p.message, { hint: p.hint, ...at(p.path, p.atKey) }));
  }
  const root = value as Record<string, unknown>;
  if (typeof root.tag !== "string" || typeof root.name !== "string" || !Array.isArray(root.rules)) return { scorecard: undefined, diagnostics };

  const ladder = (root.ladder ?? {}) as { levels?: unknown };
  const levels: Level[] = (Array.isArray(ladder.levels) ? ladder.levels : [])
    .filter((l): l is Level => !!l && typeof l === "object" && typeof (l as Level).name === "string" && typeof (l as Level).rank === "number")
    .map((l) => ({ name: l.name, rank: l.rank }))
    .sort((a, b) => a.rank - b.rank);
  const levelNames = new Set(levels.map((l) => l.name));

  const rules: Rule[] = [];
  const ids = new Map<string, number>();
  (root.rules as unknown[]).forEach((raw, i) => {
    if (!raw || typeof raw !== "object" || typeof (raw as { expression?: unknown }).expression !== "string") return;
    const r = raw as Record<string, unknown>;
    const str = (k: string) => (typeof r[k] === "string" ? (r[k] as string) : undefined);
    const title = str("title") ?? str("identifier") ?? `Rule ${i + 1}`;
    const explicit = str("identifier");
    let identifier = explicit ?? slug(title) ?? `rule-${i + 1}`;
    const line = at(["rules", i]).place.line;
    // An identifier we made up from a title must not turn two distinct rules into a duplicate.
    if (explicit === undefined) for (let n = 2; ids.has(identifier); n++) identifier = `${slug(title) ?? "rule"}-${n}`;
    const first = ids.get(identifier);
    if (first !== undefined) {
      diagnostics.push(
        diagnostic("DUPLICATE_RULE", "error", `rule identifier "${identifier}" is used twice (first at line ${first})`, {
          hint: "Give each rule a unique identifier; results are keyed by it.",
          ...at(["rules", i, r.identifier ? "identifier" : "title"]),
        }),
      );
    } else ids.set(identifier, line);
    const expression = parseExpression(yaml, ["rules", i, "expression"], r.expression as string);
    if (expression.error) diagnostics.push(cqlDiagnostic(file, yaml.text, expression, `rule "${title}"`));
    const level = str("level");
    if (level !== undefined && levels.length && !levelNames.has(level)) {
      diagnostics.push(
        diagnostic("SCORECARD_LEVEL", "error", `rule "${title}" names level "${level}", which the ladder does not have (${[...levelNames].join(", ")})`, {
          hint: `Use one of the ladder's levels, or add "${level}" to ladder.levels.`,
          ...at(["rules", i, "level"]),
        }),
      );
    } else if (level !== undefined && !levels.length) {
      diagnostics.push(
        diagnostic("SCORECARD_LEVEL", "warning", `rule "${title}" names level "${level}", but the scorecard has no ladder, so no level is reached`, {
          hint: "Add ladder.levels, or drop the rule's level.",
          ...at(["rules", i, "level"]),
        }),
      );
    }
    const effectiveFrom = str("effectiveFrom");
    const date = effectiveFrom !== undefined ? new Date(effectiveFrom) : undefined;
    if (date && Number.isNaN(date.getTime())) {
      diagnostics.push(diagnostic("SCORECARD_SCHEMA", "error", `effectiveFrom "${effectiveFrom}" is not a date`, { hint: "Use ISO 8601, e.g. 2027-01-31.", ...at(["rules", i, "effectiveFrom"]) }));
    }
    rules.push({
      identifier,
      title,
      description: str("description"),
      expression,
      weight: typeof r.weight === "number" && r.weight >= 0 ? r.weight : 1,
      level,
      failureMessage: str("failureMessage"),
      effectiveFrom: date && !Number.isNaN(date.getTime()) ? date : undefined,
      filter: readFilter(yaml, ["rules", i, "filter"], r.filter, diagnostics),
      line,
    });
  });

  const used = new Set(rules.map((r) => r.level).filter(Boolean));
  for (const l of levels) {
    if (!used.has(l.name) && rules.some((r) => r.level)) {
      diagnostics.push(diagnostic("SCORECARD_LEVEL", "warning", `ladder level "${l.name}" has no rules, so it is reached as soon as the levels below it are`, at(["ladder", "levels", levels.indexOf(l)])));
    }
  }
  const ranks = new Set<number>();
  for (const l of levels) {
    if (ranks.has(l.rank)) diagnostics.push(diagnostic("SCORECARD_LEVEL", "error", `two ladder levels share rank ${l.rank}`, at(["ladder", "levels"], true)));
    ranks.add(l.rank);
  }

  return {
    scorecard: {
      tag: root.tag,
      name: root.name,
      description: typeof root.description === "string" ? root.description : undefined,
      draft: root.draft === true,
      levels,
      rules,
      filter: readFilter(yaml, ["filter"], root.filter, diagnostics),
      source,
    },
    diagnostics,
  };
}

function readFilter(yaml: LoadedYaml, parts: (string | number)[], raw: unknown, diagnostics: Diagnostic[]): EntityFilter | undefined {
  if (!raw || typeof raw !== "object") return undefined;
  const f = raw as Record<string, unknown>;
  const list = (o: unknown, k: string) => {
    const v = o && typeof o === "object" ? (o as Record<string, unknown>)[k] : undefined;
    return Array.isArray(v) && v.length ? v.filter((x): x is string => typeof x === "string") : undefined;
  };
  const category = typeof f.category === "string" ? f.category.toLowerCase() : undefined;
  const typesInclude = list(f.types, "include") ?? (category ? [category] : undefined);
  let query: ParsedExpression | undefined;
  if (typeof f.query === "string") {
    query = parseExpression(yaml, [...parts, "query"], f.query);
    if (query.error) diagnostics.push(cqlDiagnostic(yaml.file, yaml.text, query, "filter query"));
  }
  const out: EntityFilter = {
    ...(typesInclude ? { typesInclude } : {}),
    ...(list(f.types, "exclude") ? { typesExclude: list(f.types, "exclude") } : {}),
    ...(list(f.groups, "include") ? { groupsInclude: list(f.groups, "include") } : {}),
    ...(list(f.groups, "exclude") ? { groupsExclude: list(f.groups, "exclude") } : {}),
    ...(query ? { query } : {}),
  };
  return Object.keys(out).length ? out : undefined;
}

/** Parses a rule's expression and records where its text starts, to map columns into the file. */
export function parseExpression(yaml: LoadedYaml | undefined, parts: (string | number)[], text: string): ParsedExpression {
  const parsed = parseCql(text);
  let line = 1;
  let column = 1;
  let errorPlace: { line: number; column: number } | undefined;
  if (yaml) {
    const p = locate(yaml.doc, yaml.lineCounter, parts);
    line = p.line;
    column = p.column;
    const node = nodeAt(yaml.doc, parts);
    // A quoted scalar's text starts one character after its opening quote.
    if (node && isScalar(node) && (node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE")) column += 1;
    if (!parsed.ok && node && isScalar(node) && node.range) {
      const at = yaml.lineCounter.linePos(scalarOffset(yaml.text, node, parsed.error.offset));
      errorPlace = { line: at.line, column: at.col };
    }
  }
  return parsed.ok
    ? { text, ast: parsed.ast, error: undefined, line, column }
    : { text, ast: undefined, error: parsed.error, line, column, ...(errorPlace ? { errorPlace } : {}) };
}

function nodeAt(doc: Document.Parsed, parts: (string | number)[]): unknown {
  let node: unknown = doc.contents;
  for (const part of parts) {
    if (isMap(node)) node = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(part))?.value;
    else if (isSeq(node) && typeof part === "number") node = node.items[part];
    else return undefined;
  }
  return node;
}

function cqlDiagnostic(file: string, text: string, e: ParsedExpression, what: string): Diagnostic {
  const err = e.error!;
  // Without the scalar's node (an alias), fall back to the start of the value plus the column.
  const line = e.errorPlace?.line ?? (err.line === 1 ? e.line : e.line + err.line - 1);
  const column = e.errorPlace?.column ?? (err.line === 1 ? e.column + err.column - 1 : err.column);
  const pointer = codeFrame(e.text, err.line, err.column, 0);
  return diagnostic("CQL_SYNTAX", "error", `${what}: ${err.message} (column ${err.column} of the expression)`, {
    hint: "Fix the expression; the other rules still run.",
    place: { file, line, column },
    frame: `${pointer}\n\n${codeFrame(text, line, column)}`,
  });
}

function slug(title: string): string | undefined {
  const s = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  return s || undefined;
}
