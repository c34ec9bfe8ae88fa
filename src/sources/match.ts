import picomatch from "picomatch";
import { derivationOf, lowerBound, type FileTree } from "./tree.js";

/**
 * Repository-relative glob matching over a tree listing. `dot: true` because `.cortex/…` is
 * where catalog files live; literal patterns are looked up directly, without a scan.
 */
export function matchFiles(tree: FileTree, pattern: string): string[] {
  const clean = pattern.replace(/^\.\//, "").replace(/^\/+/, "");
  if (!picomatch.scan(clean).isGlob) {
    const e = tree.entry(clean);
    return e && e.type === "blob" ? [clean] : [];
  }
  const hits = globPaths(tree, clean).filter((p) => tree.entry(p)?.type === "blob");
  // `a/**` also matches `a` itself, which the prefix range below leaves out.
  const self = literalPrefix(clean).slice(0, -1);
  if (self && tree.entry(self)?.type === "blob" && matcher(clean)(self)) hits.unshift(self);
  return hits;
}

/**
 * Every path of the tree (files, directories, symlinks, submodules) under the pattern's literal
 * directory prefix that matches it, in sorted order. Exactly what filtering `tree.paths()` with
 * picomatch would give, without testing every path against the pattern:
 *  - the literal prefix (`services/api/` in `services/api/**\/*.ts`) is a range of the sorted
 *    listing, found by binary search;
 *  - when the last path segment of the pattern names a file (`Dockerfile`, `openapi.{yaml,yml}`)
 *    or an extension (`*.ts`, `*Test.java`, `*.{ts,js}`), only paths with that name or extension
 *    are candidates, from an index built once per listing.
 * Candidates are still confirmed by picomatch, so the index only has to hold a superset.
 */
export function globPaths(tree: FileTree, pattern: string): string[] {
  return [...matchesIn(tree.paths(), pattern)];
}

/**
 * Matches per listing and pattern, computed once: a rule runs on both trees, and the default
 * branch's listing is this commit's plus a small difference, so its matches are this commit's
 * with the difference applied.
 */
const globCache = new WeakMap<readonly string[], Map<string, readonly string[]>>();
function matchesIn(paths: readonly string[], pattern: string): readonly string[] {
  let cache = globCache.get(paths);
  if (!cache) globCache.set(paths, (cache = new Map()));
  let hits = cache.get(pattern);
  if (!hits) {
    const d = derivationOf(paths);
    if (d) {
      const isMatch = matcher(pattern);
      const prefix = literalPrefix(pattern);
      const kept = matchesIn(d.base, pattern).filter((p) => !d.removed.has(p));
      const more = d.added.filter((p) => p.startsWith(prefix) && isMatch(p));
      hits = more.length ? mergeSorted(kept, more) : kept;
    } else hits = scan(paths, pattern);
    cache.set(pattern, hits);
  }
  return hits;
}

function scan(paths: readonly string[], pattern: string): string[] {
  const isMatch = matcher(pattern);
  const prefix = literalPrefix(pattern);
  const lo = prefix ? lowerBound(paths, prefix) : 0;
  const hi = prefix ? lowerBound(paths, afterPrefix(prefix), lo) : paths.length;
  const out: string[] = [];
  const keys = hi - lo > SCAN_WITHOUT_INDEX ? indexKeys(pattern) : undefined;
  if (keys) {
    const index = suffixIndex(paths);
    const candidates: number[] = [];
    for (const key of keys) {
      // A name matches the whole path or follows a "/"; an extension follows a ".".
      const suffixes = key.kind === "ext" ? [`.${key.value}`] : [`/${key.value}`, key.value];
      for (const suffix of suffixes) {
        const bucket = index.get(suffixKey(suffix, suffix.length));
        if (!bucket) continue;
        const exact = key.kind === "name" && suffix === key.value;
        for (let i = lowerBoundNum(bucket, lo); i < bucket.length && bucket[i]! < hi; i++) {
          const p = paths[bucket[i]!]!;
          if (exact ? p === suffix : p.endsWith(suffix)) candidates.push(bucket[i]!);
        }
      }
    }
    if (keys.length > 1 || keys[0]!.kind === "name") candidates.sort((a, b) => a - b);
    let last = -1;
    for (const i of candidates) {
      if (i === last) continue;
      last = i;
      if (isMatch(paths[i]!)) out.push(paths[i]!);
    }
    return out;
  }
  for (let i = lo; i < hi; i++) if (isMatch(paths[i]!)) out.push(paths[i]!);
  return out;
}

function mergeSorted(a: readonly string[], b: readonly string[]): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]! < b[j]!)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/** Below this many paths in range a plain scan is cheaper than an index. */
const SCAN_WITHOUT_INDEX = 2_000;

const matchers = new Map<string, (p: string) => boolean>();
function matcher(pattern: string): (p: string) => boolean {
  let m = matchers.get(pattern);
  if (!m) {
    m = picomatch(pattern, { dot: true });
    matchers.set(pattern, m);
  }
  return m;
}

/** The directories before the first glob character: `services/api/` for `services/api/**\/*.ts`. */
export function literalPrefix(pattern: string): string {
  const first = pattern.search(/[*?[\]{}()!+@\\]/);
  return (first < 0 ? pattern : pattern.slice(0, first)).replace(/[^/]*$/, "");
}

/** The smallest string greater than every string that starts with `prefix`. */
function afterPrefix(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

type IndexKey = { readonly kind: "name" | "ext"; readonly value: string };

/**
 * What the pattern's last segment requires of a matching path's file name, or `undefined` when
 * that cannot be said simply (`**`, extglobs, classes, `?`, a `/` inside braces, escapes).
 */
export function indexKeys(pattern: string): IndexKey[] | undefined {
  if (pattern.includes("\\")) return undefined;
  let depth = 0;
  let lastSlash = -1;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "{" || c === "(" || c === "[") depth++;
    else if (c === "}" || c === ")" || c === "]") depth--;
    else if (c === "/") {
      if (depth !== 0) return undefined;
      lastSlash = i;
    }
  }
  const last = pattern.slice(lastSlash + 1);
  if (!last || /[()[\]!?+@]/.test(last)) return undefined;
  const alternatives = expandBraces(last);
  if (!alternatives) return undefined;
  const keys: IndexKey[] = [];
  for (const alt of alternatives) {
    const stars = alt.split("*").length - 1;
    if (stars === 0) keys.push({ kind: "name", value: alt });
    else if (stars === 1) {
      // `*.ts`, `*Test.java`, `Test*.java`: the extension is the literal after the last dot.
      const tail = alt.slice(alt.indexOf("*") + 1);
      const dot = tail.lastIndexOf(".");
      if (dot < 0 || dot === tail.length - 1) return undefined;
      keys.push({ kind: "ext", value: tail.slice(dot + 1) });
    } else return undefined;
  }
  return keys;
}

/** One level of `{a,b}` alternatives with plain text inside; `undefined` for anything else. */
function expandBraces(segment: string): string[] | undefined {
  const open = segment.indexOf("{");
  if (open < 0) return segment.includes("}") ? undefined : [segment];
  const close = segment.indexOf("}", open);
  if (close < 0) return undefined;
  const inner = segment.slice(open + 1, close);
  const rest = segment.slice(close + 1);
  if (/[{}]/.test(inner) || /[{}]/.test(rest) || inner.includes("..") || !inner.includes(",")) return undefined;
  return inner.split(",").map((alt) => segment.slice(0, open) + alt + rest);
}

/**
 * Positions of the listing's paths by their last two characters, as a number (no string is made
 * per path): a pattern's file name or extension picks one bucket, a small superset of the paths
 * that can match. Built once per listing, in one pass.
 */
const suffixIndexes = new WeakMap<readonly string[], Map<number, number[]>>();
function suffixIndex(paths: readonly string[]): Map<number, number[]> {
  let index = suffixIndexes.get(paths);
  if (index) return index;
  index = new Map();
  for (let i = 0; i < paths.length; i++) {
    const p = paths[i]!;
    const k = suffixKey(p, p.length);
    const bucket = index.get(k);
    if (bucket) bucket.push(i);
    else index.set(k, [i]);
  }
  suffixIndexes.set(paths, index);
  return index;
}

/** The last two UTF-16 units of `s` (of its first `n`), 0 standing for "none" before the last. */
function suffixKey(s: string, n: number): number {
  return (n >= 2 ? s.charCodeAt(n - 2) : 0) * 65536 + s.charCodeAt(n - 1);
}

function lowerBoundNum(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The first path in sorted order that equals `path` but for case, unless that is `path` itself:
 * for "did you mean". Walks the sorted listing one directory level at a time, visiting each child of
 * a directory once (a binary search skips its descendants), so it needs no index of the tree.
 */
export function caseVariant(paths: readonly string[], path: string): string | undefined {
  // Like the first of a case-insensitive scan: when that is `path` itself, there is nothing to suggest.
  const first = caseVariants(paths, path.toLowerCase())[0];
  return first !== path ? first : undefined;
}

/** Every path whose lower-case form is `lower`, sorted; computed once per listing (see matchesIn). */
const caseCache = new WeakMap<readonly string[], Map<string, readonly string[]>>();
function caseVariants(paths: readonly string[], lower: string): readonly string[] {
  let cache = caseCache.get(paths);
  if (!cache) caseCache.set(paths, (cache = new Map()));
  let found = cache.get(lower);
  if (!found) {
    const d = derivationOf(paths);
    found = d
      ? mergeSorted(
          caseVariants(d.base, lower).filter((p) => !d.removed.has(p)),
          d.added.filter((p) => p.toLowerCase() === lower),
        )
      : walkCase(paths, lower);
    cache.set(lower, found);
  }
  return found;
}

function walkCase(paths: readonly string[], lower: string): string[] {
  const want = lower.split("/");
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    const prefix = dir ? `${dir}/` : "";
    const lo = prefix ? lowerBound(paths, prefix) : 0;
    const hi = prefix ? lowerBound(paths, afterPrefix(prefix), lo) : paths.length;
    const seen = new Set<string>();
    for (let i = lo; i < hi; ) {
      const rest = paths[i]!.slice(prefix.length);
      const slash = rest.indexOf("/");
      const name = slash < 0 ? rest : rest.slice(0, slash);
      // Skip the rest of this child's subtree; siblings like "name-x" sort before "name/…".
      i = slash < 0 ? i + 1 : lowerBound(paths, afterPrefix(`${prefix}${name}/`), i);
      if (seen.has(name) || name.toLowerCase() !== want[depth]) continue;
      seen.add(name);
      const p = prefix + name;
      if (depth < want.length - 1) walk(p, depth + 1);
      else if (paths[lowerBound(paths, p)] === p) found.push(p);
    }
  };
  walk("", 0);
  return found.sort();
}
