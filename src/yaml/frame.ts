/**
 * A compiler-style code frame: the line before, the line, and a caret under the column.
 */
export function codeFrame(text: string, line: number, column: number, context = 1): string {
  const lines = text.split(/\r?\n/);
  const from = Math.max(1, line - context);
  const to = Math.min(lines.length, line + context);
  const width = String(to).length;
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    const src = (lines[n - 1] ?? "").replace(/\t/g, "→");
    out.push(`${n === line ? ">" : " "} ${String(n).padStart(width)} | ${src.length > 160 ? `${src.slice(0, 157)}...` : src}`);
    if (n === line) out.push(`  ${" ".repeat(width)} | ${" ".repeat(Math.max(0, column - 1))}^`);
  }
  return out.join("\n");
}
