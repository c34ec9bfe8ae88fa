/** Small text helpers shared by messages: "did you mean", lists, plurals. */

export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] ?? 0;
      prev[j] = Math.min((prev[j] ?? 0) + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length] ?? 0;
}

/** The closest candidate within a distance that scales with the word, or undefined. */
export function closest(word: string, candidates: Iterable<string>, maxRatio = 0.34): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  const lower = word.toLowerCase();
  for (const c of candidates) {
    const d = c.toLowerCase() === lower ? 0.5 : levenshtein(lower, c.toLowerCase());
    if (d < bestScore) {
      bestScore = d;
      best = c;
    }
  }
  return best !== undefined && bestScore <= Math.max(1, Math.ceil(word.length * maxRatio)) ? best : undefined;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function quoteList(items: readonly string[]): string {
  return items.map((i) => `"${i}"`).join(", ");
}

export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a mapping";
  if (typeof v === "string") return v === "" ? "an empty string" : `the string "${v.length > 40 ? `${v.slice(0, 37)}...` : v}"`;
  return `${typeof v} ${String(v)}`;
}

/**
 * "Did you mean" for keys: the closest spelling, else the one candidate that the word is a
 * prefix of or the other way round (`repo` → `repository`), which edit distance misses.
 */
export function suggestKey(word: string, candidates: readonly string[]): string | undefined {
  // `x-cortex-tag` and `x-cortex-type` share 9 characters of prefix: compare what follows it,
  // or every x-cortex key looks "close" to every other.
  const prefix = "x-cortex-";
  if (word.startsWith(prefix)) {
    const near = suggestKey(word.slice(prefix.length), candidates.filter((c) => c.startsWith(prefix)).map((c) => c.slice(prefix.length)));
    return near === undefined ? undefined : `${prefix}${near}`;
  }
  const near = closest(word, candidates);
  if (near !== undefined) return near;
  const lower = word.toLowerCase();
  if (lower.length < 3) return undefined;
  const prefixed = candidates.filter((c) => c.length >= 3 && (c.toLowerCase().startsWith(lower) || lower.startsWith(c.toLowerCase())));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
