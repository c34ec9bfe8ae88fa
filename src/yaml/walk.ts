import { isAlias, isMap, isScalar, isSeq, type Node as YamlNode } from "yaml";

export interface DuplicateKey {
  readonly key: string;
  readonly first: number;
  readonly second: number;
}

export interface WalkResult {
  readonly duplicates: DuplicateKey[];
  /** Keys that are lists or mappings (`? [a, b]`): JSON has no such keys. */
  readonly complexKeys: number[];
  /** Offset of the first node deeper than the limit. */
  tooDeep: number | undefined;
  /** Offset of the first alias (`*name`), where an alias-expansion problem is reported. */
  firstAlias: number | undefined;
  /** Aliases inside the node their anchor names (`&a [*a]`): the value would contain itself. */
  readonly cycles: { readonly name: string; readonly offset: number }[];
}

const start = (n: unknown): number => (n as YamlNode | null | undefined)?.range?.[0] ?? 0;

/**
 * One pass over the parsed tree for what the parser does not report itself: duplicate keys (with
 * both places, so the message can name the first), keys that are collections, excessive depth,
 * and where aliases start. Stops descending at the depth limit, so it is bounded too.
 */
export function walkYaml(root: unknown, maxDepth: number): WalkResult {
  const acc: WalkResult = { duplicates: [], complexKeys: [], tooDeep: undefined, firstAlias: undefined, cycles: [] };
  visit(root, { depth: 0, maxDepth, anchors: [] }, acc);
  return acc;
}

interface Where {
  readonly depth: number;
  readonly maxDepth: number;
  /** Anchors of the nodes enclosing this one. */
  readonly anchors: readonly string[];
}

function visit(node: unknown, where: Where, acc: WalkResult): void {
  if (acc.tooDeep !== undefined || node === null || node === undefined) return;
  if (where.depth > where.maxDepth) {
    acc.tooDeep = start(node);
    return;
  }
  if (isAlias(node)) {
    acc.firstAlias ??= start(node);
    if (where.anchors.includes(node.source)) acc.cycles.push({ name: node.source, offset: start(node) });
    return;
  }
  const anchor = (node as YamlNode).anchor;
  const inner: Where = { ...where, depth: where.depth + 1, anchors: anchor ? [...where.anchors, anchor] : where.anchors };
  if (isMap(node)) {
    const seen = new Map<string, number>();
    for (const pair of node.items) {
      checkKey(pair.key, seen, acc);
      visit(pair.value, inner, acc);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) visit(item, inner, acc);
  }
}

function checkKey(key: unknown, seen: Map<string, number>, acc: WalkResult): void {
  if (isScalar(key)) {
    // `<<` merge keys may repeat legitimately (one per merged mapping).
    const k = String(key.value);
    if (k === "<<") return;
    const offset = start(key);
    const first = seen.get(k);
    if (first !== undefined) acc.duplicates.push({ key: k, first, second: offset });
    else seen.set(k, offset);
  } else if (isMap(key) || isSeq(key)) {
    acc.complexKeys.push(start(key));
  } else if (isAlias(key)) {
    acc.firstAlias ??= start(key);
  }
}
