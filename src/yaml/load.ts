import { isAlias, LineCounter, parseAllDocuments, visit, type Document, type Scalar } from "yaml";
import { diagnostic, type Diagnostic, type Place } from "../diagnostics.js";
import { decodeText, type Decoded } from "./decode.js";
import { codeFrame } from "./frame.js";
import { scanNesting, sizeProblem, YAML_LIMITS } from "./limits.js";
import { plainYamlError } from "./syntax.js";
import { walkYaml, type WalkResult } from "./walk.js";

export { formatBytes, sizeProblem, YAML_LIMITS } from "./limits.js";

export interface LoadedYaml {
  readonly file: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** The plain JS value (aliases resolved within the limits). */
  readonly value: unknown;
}

export type YamlResult = { readonly loaded: LoadedYaml | undefined; readonly diagnostics: Diagnostic[] };

/** Line and column (1-based) of an offset, without a parse: for problems found before parsing. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Place + code frame for an offset: every content problem is printed like a compiler's. */
function placeAt(file: string, text: string, offset: number): { place: Place; frame: string } {
  const p = positionOf(text, Math.max(0, Math.min(offset, text.length)));
  return { place: { file, line: p.line, column: p.column }, frame: codeFrame(text, p.line, p.column) };
}

/**
 * Decodes and parses YAML keeping positions. Collects every syntax problem (one per line: the
 * rest are usually echoes of the first), duplicate keys (at the second occurrence, naming the
 * first) and limit breaches. Returns the document only when it parsed cleanly enough that later
 * stages would not report echoes of a syntax error. Never throws on any input.
 */
export function loadYaml(file: string, bytes: Buffer): YamlResult {
  const limit = sizeProblem(file, bytes.length);
  if (limit) return { loaded: undefined, diagnostics: [limit] };
  const decoded = decodeText(bytes);
  if (decoded.kind === "binary") {
    return {
      loaded: undefined,
      diagnostics: [
        diagnostic("ENCODING", "error", `${file} is a binary file (it contains NUL bytes), not YAML text`, {
          hint: "Save it as UTF-8 text. A UTF-16 file needs its byte-order mark to be recognised.",
          place: { file, line: 1, column: 1 },
        }),
      ],
    };
  }
  const text = decoded.text;
  const diagnostics = encodingNotes(file, decoded);
  const deep = scanNesting(text, YAML_LIMITS.maxDepth * 2);
  if (deep) return { loaded: undefined, diagnostics: [...diagnostics, tooDeep(file, text, deep.offset)] };
  const parsed = parse(file, text);
  if ("failure" in parsed) return { loaded: undefined, diagnostics: [...diagnostics, parsed.failure] };
  const { docs, lineCounter } = parsed;
  if (docs.length === 0) return { loaded: undefined, diagnostics: [...diagnostics, emptyFile(file, text)] };
  const doc = docs[0]!;
  if (docs.length > 1) diagnostics.push(multipleDocuments(file, text, docs));
  diagnostics.push(...syntaxProblems(file, text, doc));
  const walk = walkYaml(doc.contents, YAML_LIMITS.maxDepth);
  diagnostics.push(...walkProblems(file, text, walk));
  if (walk.tooDeep !== undefined) return { loaded: undefined, diagnostics: [...diagnostics, tooDeep(file, text, walk.tooDeep)] };
  if (diagnostics.some((d) => d.code === "YAML_SYNTAX" && d.severity === "error")) return { loaded: undefined, diagnostics };

  const value = toValue(file, text, doc, walk.firstAlias);
  if ("failure" in value) return { loaded: undefined, diagnostics: [...diagnostics, value.failure] };
  return { loaded: { file, text, doc, lineCounter, value: value.value }, diagnostics };
}

/** What the walk found that the parser does not report: duplicate keys, complex keys, cycles. */
function walkProblems(file: string, text: string, walk: WalkResult): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const dup of walk.duplicates) {
    const first = positionOf(text, dup.first);
    out.push(
      diagnostic("YAML_DUPLICATE_KEY", "error", `duplicate key "${dup.key}": it is already defined at line ${first.line}, column ${first.column}`, {
        hint: `YAML keeps only one of the two and tools disagree on which; merge them into one "${dup.key}" and delete the other.`,
        ...placeAt(file, text, dup.second),
      }),
    );
  }
  for (const offset of walk.complexKeys) {
    out.push(
      diagnostic("YAML_SYNTAX", "error", "a key here is a list or a mapping; catalog YAML keys must be plain text", {
        hint: 'Write the key as text ("name:"), or remove the "?" that introduces a complex key.',
        ...placeAt(file, text, offset),
      }),
    );
  }
  for (const cycle of walk.cycles) {
    out.push(
      diagnostic("YAML_SYNTAX", "error", `alias *${cycle.name} is inside the very node its anchor &${cycle.name} names, so the value would contain itself`, {
        hint: `Move *${cycle.name} outside the block marked &${cycle.name}, or write the content out.`,
        ...placeAt(file, text, cycle.offset),
      }),
    );
  }
  return out;
}

type Parsed = { docs: Document.Parsed[]; lineCounter: LineCounter } | { failure: Diagnostic };

function parse(file: string, text: string): Parsed {
  const lineCounter = new LineCounter();
  try {
    // merge: `<<: *base` comes from YAML 1.1 and most parsers still accept it; without it the
    // merged keys would be reported as missing.
    // logLevel: the library would print its warnings to stderr; we report them ourselves.
    const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true, merge: true, logLevel: "error" });
    return { docs: Array.isArray(docs) ? (docs as Document.Parsed[]) : [], lineCounter };
  } catch (e) {
    return { failure: diagnostic("YAML_SYNTAX", "error", `the YAML parser gave up: ${(e as Error).message}`, { hint: "Simplify the file; this input is outside what YAML tools handle.", place: { file, line: 1, column: 1 } }) };
  }
}

function encodingNotes(file: string, decoded: Extract<Decoded, { kind: "text" }>): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (decoded.encoding === "utf-16le" || decoded.encoding === "utf-16be") {
    out.push(
      diagnostic("ENCODING", "warning", `${file} is ${decoded.encoding === "utf-16le" ? "UTF-16 little-endian" : "UTF-16 big-endian"}; it was read, but catalog YAML is expected in UTF-8`, {
        hint: "Re-save the file as UTF-8 (e.g. iconv -f UTF-16 -t UTF-8); many tools, and git diffs, treat UTF-16 as binary.",
        place: { file, line: 1, column: 1 },
      }),
    );
  }
  if (decoded.invalid) {
    out.push(
      diagnostic("ENCODING", "warning", `${file} is not valid UTF-8 here; the invalid bytes were read as "\uFFFD"`, {
        hint: "Re-save the file as UTF-8 (it is probably Latin-1 or Windows-1252).",
        ...placeAt(file, decoded.text, Math.max(0, decoded.text.indexOf("\uFFFD"))),
      }),
    );
  }
  return out;
}

function tooDeep(file: string, text: string, offset: number): Diagnostic {
  return diagnostic("YAML_LIMIT", "error", `${file} nests more than ${YAML_LIMITS.maxDepth} levels deep here; it was not read further`, {
    hint: "Catalog YAML is shallow: flatten this structure, or check for unclosed [ or { above.",
    ...placeAt(file, text, offset),
  });
}

function emptyFile(file: string, text: string): Diagnostic {
  const what = text.trim() ? "holds only comments" : "is empty";
  return diagnostic("NOT_A_DESCRIPTOR", "error", `${file} ${what}: there is nothing to read`, {
    // Generic words: scorecard files are loaded here too (and re-coded SCORECARD_SCHEMA).
    hint: "Write the file's content, or change DESCRIPTOR / SCORECARDS so they stop matching it. A descriptor needs openapi: 3.0.1 and an info block with title and x-cortex-tag.",
    place: { file, line: 1, column: 1 },
  });
}

function multipleDocuments(file: string, text: string, docs: readonly Document.Parsed[]): Diagnostic {
  const offset = docs[1]?.range?.[0] ?? 0;
  return diagnostic("YAML_MULTIPLE_DOCUMENTS", "warning", `${file} holds ${docs.length} YAML documents; only the first is read and the rest are ignored`, {
    hint: 'Remove the "---" line and what follows it, or move each document to its own file.',
    ...placeAt(file, text, offset),
  });
}

/** The parser's errors and warnings in plain words, one per line, stack overflows as limits. */
function syntaxProblems(file: string, text: string, doc: Document.Parsed): Diagnostic[] {
  const out: Diagnostic[] = [];
  const lines = new Set<number>();
  for (const [severity, list] of [["error", doc.errors], ["warning", doc.warnings]] as const) {
    for (const err of list) {
      if (err.code === "DUPLICATE_KEY") continue; // reported by the walk, with both places
      if (/call stack/i.test(err.message)) {
        out.push(tooDeep(file, text, err.pos[0]));
        continue;
      }
      const offset = err.code === "MISSING_CHAR" ? (unclosedQuoteStart(doc, err.pos[0]) ?? err.pos[0]) : err.pos[0];
      const line = positionOf(text, offset).line;
      if (lines.has(line)) continue;
      lines.add(line);
      const plain = plainYamlError(err.code, err.message);
      out.push(diagnostic("YAML_SYNTAX", severity, plain.message, { hint: plain.hint, ...placeAt(file, text, offset) }));
    }
  }
  return out;
}

/** Where the quoted scalar that swallowed the rest of the file begins (the library reports its end). */
function unclosedQuoteStart(doc: Document.Parsed, errorOffset: number): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Scalar(_key, node: Scalar) {
      const [from, to] = node.range ?? [0, 0];
      if ((node.type === "QUOTE_DOUBLE" || node.type === "QUOTE_SINGLE") && from < errorOffset && to >= errorOffset) found = from;
    },
  });
  return found;
}

function toValue(file: string, text: string, doc: Document.Parsed, firstAlias: number | undefined): { value: unknown } | { failure: Diagnostic } {
  try {
    return { value: doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount }) };
  } catch (e) {
    const message = (e as Error).message;
    if (/alias count/i.test(message)) {
      return {
        failure: diagnostic("YAML_LIMIT", "error", `aliases (*name) here expand to more than ${YAML_LIMITS.maxAliasCount} copies of their anchors; the file was not read further`, {
          hint: "Write the repeated content out instead of nesting aliases of aliases (a \"billion laughs\" pattern).",
          ...placeAt(file, text, firstAlias ?? 0),
        }),
      };
    }
    if (/unresolved alias/i.test(message)) {
      const name = message.split(": ").at(-1) ?? "";
      return {
        failure: diagnostic("YAML_SYNTAX", "error", `alias *${name} refers to no anchor &${name} defined before it`, {
          hint: `Define &${name} earlier in the file, fix the name, or quote the value if "*" is meant literally.`,
          ...placeAt(file, text, unresolvedAlias(doc, name) ?? firstAlias ?? 0),
        }),
      };
    }
    return { failure: diagnostic("YAML_SYNTAX", "error", `the YAML could not be read: ${message}`, { hint: "Simplify the YAML at this place.", ...placeAt(file, text, firstAlias ?? 0) }) };
  }
}

function unresolvedAlias(doc: Document.Parsed, name: string): number | undefined {
  let found: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (found === undefined && isAlias(node) && node.source === name) found = node.range?.[0];
    },
  });
  return found;
}
