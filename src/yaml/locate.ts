import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node as YamlNode } from "yaml";

export interface Position {
  readonly line: number;
  readonly column: number;
}

/**
 * Finds the YAML node at a JSON path (`["info", "x-cortex-git", "bitbucket"]`). When the path
 * does not exist (a missing key), returns the deepest existing ancestor's key so a diagnostic
 * still lands on the right block. `keyOf` asks for the key's position rather than the value's.
 * An empty value (`x-cortex-tag:` with nothing after it) has no text of its own, so its key is
 * the place. Aliases are followed to their anchor's content.
 */
export function locate(
  doc: Document.Parsed,
  lineCounter: LineCounter,
  pathParts: readonly (string | number)[],
  options: { keyOf?: boolean } = {},
): Position {
  let node: unknown = doc.contents;
  let keyNode: unknown;
  let complete = true;
  for (const part of pathParts) {
    if (isAlias(node)) node = node.resolve(doc) ?? node;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
      if (!pair) {
        complete = false;
        break;
      }
      keyNode = pair.key;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof part === "number" && node.items[part] !== undefined) {
      keyNode = undefined;
      node = node.items[part];
    } else {
      complete = false;
      break;
    }
  }
  const wantKey = (options.keyOf || !complete || isEmptyValue(node)) && keyNode !== undefined;
  const target = (wantKey ? keyNode : node) as YamlNode | null | undefined;
  const offset = target?.range?.[0] ?? 0;
  const p = lineCounter.linePos(offset);
  return { line: p.line, column: p.col };
}

/** `key:` with nothing after it parses as a null scalar with an empty source range. */
function isEmptyValue(node: unknown): boolean {
  if (!isScalar(node)) return false;
  const [from, to] = node.range ?? [0, 0];
  return node.value === null && from === to;
}

/** JSON Pointer (`/info/x-cortex-tag`) → path parts. */
export function pointerParts(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}
