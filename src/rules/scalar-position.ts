import type { Scalar } from "yaml";

const BLANK = /[ \t\r\n]/;

/**
 * The source offset of character `index` of a YAML scalar's value, so a CQL syntax error points
 * at its line and column in the scorecard file whatever the scalar's style: plain or quoted
 * (folded over several lines, with escapes or `''`), literal `|` or folded `>` block.
 *
 * The value's characters appear in the source in order; what differs is indentation, folded line
 * breaks and escapes. Walking both side by side and skipping what the value does not contain
 * finds the place without re-implementing YAML's folding rules.
 */
export function scalarOffset(source: string, node: Scalar, index: number): number {
  const [start, end] = node.range ?? [0, source.length];
  const value = String(node.value);
  const double = node.type === "QUOTE_DOUBLE";
  const single = node.type === "QUOTE_SINGLE";
  let j = double || single ? start + 1 : start;
  if (node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED") {
    const nl = source.indexOf("\n", start);
    j = nl < 0 ? end : nl + 1;
  }
  let i = 0;
  while (i < index && j < end) {
    const c = source[j] ?? "";
    const v = value[i] ?? "";
    if (double && c === "\\") {
      const next = source[j + 1] ?? "";
      if (next === "\n" || next === "\r") {
        // An escaped line break joins the lines: it stands for nothing in the value.
        j += next === "\r" && source[j + 2] === "\n" ? 3 : 2;
        while (j < end && (source[j] === " " || source[j] === "\t")) j++;
        continue;
      }
      j += next === "x" ? 4 : next === "u" ? 6 : next === "U" ? 10 : 2;
      i++;
      continue;
    }
    if (single && c === "'" && source[j + 1] === "'") {
      j += 2;
      i++;
      continue;
    }
    if (c === v) {
      i++;
      j++;
      continue;
    }
    if (c === "\n" && (v === " " || v === "\n")) {
      // A folded line break: one space (or newline) in the value.
      i++;
      j++;
      continue;
    }
    if (BLANK.test(c)) {
      j++; // indentation, or a line break that folding removed
      continue;
    }
    // Out of step (an escape form not handled above): move on together.
    i++;
    j++;
  }
  const want = value[index];
  while (j < end && want !== undefined && source[j] !== want && BLANK.test(source[j] ?? "")) j++;
  return j;
}
