/** How much of a long line a frame shows around the column. */
const WINDOW = 120;

/** The lines of the last few texts framed: a file with many diagnostics is split once, not per diagnostic. */
const cache = new Map<string, string[]>();
function linesOf(text: string): string[] {
  let lines = cache.get(text);
  if (!lines) {
    if (cache.size >= 4) cache.delete(cache.keys().next().value as string);
    lines = text.split(/\r?\n/);
    cache.set(text, lines);
  }
  return lines;
}

/**
 * A compiler-style code frame: the line before, the line, and a caret under the column. Long
 * lines show a window around the column, so a minified or pasted line stays one screen wide.
 */
export function codeFrame(text: string, line: number, column: number, context = 1): string {
  const lines = linesOf(text);
  const from = Math.max(1, line - context);
  const to = Math.min(lines.length, line + context);
  const width = String(to).length;
  const start = Math.max(0, column - 1 - WINDOW / 2);
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    const full = (lines[n - 1] ?? "").replace(/\t/g, "→");
    const cut = full.length > WINDOW ? `${start > 0 ? "…" : ""}${full.slice(start, start + WINDOW)}${full.length > start + WINDOW ? "…" : ""}` : full;
    out.push(`${n === line ? ">" : " "} ${String(n).padStart(width)} | ${cut}`);
    if (n === line) {
      const caret = full.length > WINDOW ? column - 1 - start + (start > 0 ? 1 : 0) : column - 1;
      out.push(`  ${" ".repeat(width)} | ${" ".repeat(Math.max(0, caret))}^`);
    }
  }
  return out.join("\n");
}
