import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node as YamlNode } from "yaml";
import { diagnostic, type Diagnostic } from "../diagnostics.js";
import { decodeText } from "./decode.js";
import { codeFrame } from "./frame.js";

/** Limits that keep a hostile file from costing more than a real one. */
export const YAML_LIMITS = {
  maxBytes: 1024 * 1024,
  maxAliasCount: 100,
  maxDepth: 64,
} as const;

export interface LoadedYaml {
  readonly file: string;
  readonly text: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** The plain JS value (aliases resolved within the limits). */
  readonly value: unknown;
}

export type YamlResult = { readonly loaded: LoadedYaml | undefined; readonly diagnostics: Diagnostic[] };

/** Refuses a file over the size limit before anything reads it (the size comes from the tree). */
export function sizeProblem(file: string, size: number | undefined): Diagnostic | undefined {
  if (size === undefined || size <= YAML_LIMITS.maxBytes) return undefined;
  return diagnostic("YAML_LIMIT", "error", `${file} is ${formatBytes(size)}, over the ${formatBytes(YAML_LIMITS.maxBytes)} limit for catalog YAML`, {
    hint: "Descriptors and scorecards are small files; check that the pattern matches the right file.",
    place: { file },
  });
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/**
 * Parses YAML keeping positions. Collects every syntax problem, duplicate keys (at the second
 * occurrence, naming the first) and limit breaches, and still returns the document when it is
 * usable so later stages can report more.
 */
export function loadYaml(file: string, bytes: Buffer): YamlResult {
  const diagnostics: Diagnostic[] = [];
  const limit = sizeProblem(file, bytes.length);
  if (limit) return { loaded: undefined, diagnostics: [limit] };
  const decoded = decodeText(bytes);
  if (decoded.kind === "binary") {
    return {
      loaded: undefined,
      diagnostics: [diagnostic("ENCODING", "error", `${file} is a binary file, not YAML`, { hint: "Save it as UTF-8 text.", place: { file } })],
    };
  }
  if (decoded.invalid) {
    diagnostics.push(
      diagnostic("ENCODING", "warning", `${file} is not valid UTF-8; invalid bytes were replaced`, { hint: "Save the file as UTF-8.", place: { file } }),
    );
  }
  const text = decoded.text;
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false, strict: true });
  const list = Array.isArray(docs) ? docs : [];
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { file, line: p.line, column: p.col };
  };
  const frameAt = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return codeFrame(text, p.line, p.col);
  };
  if (list.length === 0) {
    return {
      loaded: undefined,
      diagnostics: [...diagnostics, diagnostic("NOT_A_DESCRIPTOR", "error", `${file} is empty`, { place: { file, line: 1, column: 1 } })],
    };
  }
  const doc = list[0] as Document.Parsed;
  if (list.length > 1) {
    const second = list[1];
    const offset = second?.range?.[0] ?? 0;
    diagnostics.push(
      diagnostic("YAML_MULTIPLE_DOCUMENTS", "warning", `${file} holds ${list.length} YAML documents; only the first is read`, {
        hint: 'Remove the "---" separator and the documents after it, or move them to their own files.',
        place: at(offset),
      }),
    );
  }
  for (const err of doc.errors) {
    const offset = err.pos[0];
    const isDup = err.code === "DUPLICATE_KEY";
    if (isDup) continue; // reported by our own walk with both places
    diagnostics.push(
      diagnostic("YAML_SYNTAX", "error", plainYamlMessage(err.message), {
        hint: yamlHint(err.code),
        place: at(offset),
        frame: frameAt(offset),
      }),
    );
  }
  for (const w of doc.warnings) {
    diagnostics.push(diagnostic("YAML_SYNTAX", "warning", plainYamlMessage(w.message), { place: at(w.pos[0]) }));
  }
  const walk = walkLimits(doc.contents, 0);
  for (const dup of walk.duplicates) {
    const first = lineCounter.linePos(dup.first);
    diagnostics.push(
      diagnostic("YAML_DUPLICATE_KEY", "error", `duplicate key "${dup.key}": first defined at line ${first.line}`, {
        hint: "YAML keeps only one of them, and tools disagree on which; keep one and delete the other.",
        place: at(dup.second),
        frame: frameAt(dup.second),
      }),
    );
  }
  if (walk.tooDeep !== undefined) {
    diagnostics.push(
      diagnostic("YAML_LIMIT", "error", `${file} nests deeper than ${YAML_LIMITS.maxDepth} levels`, { place: at(walk.tooDeep) }),
    );
    return { loaded: undefined, diagnostics };
  }
  if (doc.errors.some((e) => e.code !== "DUPLICATE_KEY")) return { loaded: undefined, diagnostics };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: YAML_LIMITS.maxAliasCount });
  } catch (e) {
    diagnostics.push(
      diagnostic("YAML_LIMIT", "error", `${file}: ${(e as Error).message} (aliases may expand at most ${YAML_LIMITS.maxAliasCount} times)`, {
        hint: "Write the repeated content out instead of nesting aliases.",
        place: { file, line: 1, column: 1 },
      }),
    );
    return { loaded: undefined, diagnostics };
  }
  return { loaded: { file, text, doc, lineCounter, value }, diagnostics };
}

interface WalkResult {
  duplicates: { key: string; first: number; second: number }[];
  tooDeep: number | undefined;
}

function walkLimits(node: unknown, depth: number, acc: WalkResult = { duplicates: [], tooDeep: undefined }): WalkResult {
  if (acc.tooDeep !== undefined || node === null || node === undefined) return acc;
  const n = node as YamlNode;
  if (depth > YAML_LIMITS.maxDepth) {
    acc.tooDeep = n.range?.[0] ?? 0;
    return acc;
  }
  if (isMap(n)) {
    const seen = new Map<string, number>();
    for (const pair of n.items) {
      const key = pair.key;
      if (isScalar(key)) {
        const k = String(key.value);
        const offset = key.range?.[0] ?? 0;
        const first = seen.get(k);
        if (first !== undefined) acc.duplicates.push({ key: k, first, second: offset });
        else seen.set(k, offset);
      }
      walkLimits(pair.value, depth + 1, acc);
    }
  } else if (isSeq(n)) {
    for (const item of n.items) walkLimits(item, depth + 1, acc);
  } else if (isAlias(n)) {
    // Aliases are bounded at toJS time by maxAliasCount.
  }
  return acc;
}

function plainYamlMessage(message: string): string {
  // The yaml library appends its own position and a frame; we print ours.
  return message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? message;
}

function yamlHint(code: string): string | undefined {
  switch (code) {
    case "TAB_AS_INDENT":
      return "YAML indentation must use spaces; replace the tab characters.";
    case "BAD_INDENT":
    case "MISSING_CHAR":
      return "Check the indentation of this line against the lines above it.";
    case "MULTILINE_IMPLICIT_KEY":
      return 'A key\'s value is missing its ":" or a quote is unclosed on an earlier line.';
    default:
      return undefined;
  }
}
