import { diagnostic, type Diagnostic } from "../diagnostics.js";

/** Limits that keep a hostile file from costing more than a real one. */
export const YAML_LIMITS = {
  maxBytes: 1024 * 1024,
  /** yaml's own unit: each alias resolution counts the size of what it points at. */
  maxAliasCount: 100,
  maxDepth: 64,
} as const;

/** Refuses a file over the size limit before anything reads it (the size comes from the tree). */
export function sizeProblem(file: string, size: number | undefined): Diagnostic | undefined {
  if (size === undefined || size <= YAML_LIMITS.maxBytes) return undefined;
  return diagnostic(
    "YAML_LIMIT",
    "error",
    `${file} is ${formatBytes(size)}, over the ${formatBytes(YAML_LIMITS.maxBytes)} limit for catalog YAML; it was not read`,
    {
      hint: "Descriptors and scorecards are small files: check that DESCRIPTOR/SCORECARDS match the right file, or move bulky content (full API specs) to its own file.",
      place: { file },
    },
  );
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

export interface NestingHit {
  /** Offset in the text where the limit was crossed. */
  readonly offset: number;
  readonly depth: number;
}

/**
 * A cheap lexical estimate of nesting depth, run BEFORE parsing: the YAML parser recurses per
 * level, so `[[[[…` a few hundred thousand deep costs seconds and overflows its stack. The
 * estimate errs low on real files (it only counts what surely nests), so the threshold given is
 * generous and the exact walk after parsing still applies the real limit.
 */
export function scanNesting(text: string, threshold: number): NestingHit | undefined {
  const s = new ScanState();
  let lineStart = 0;
  while (lineStart <= text.length) {
    let lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd < 0) lineEnd = text.length;
    const hit = s.line(text, lineStart, lineEnd, threshold);
    if (hit) return hit;
    lineStart = lineEnd + 1;
  }
  return undefined;
}

class ScanState {
  /** Columns at which open block collections start. */
  private blocks: number[] = [];
  private flow = 0;
  private quote: '"' | "'" | undefined;
  /** Indentation of the line that opened a block scalar (`|`, `>`), while inside one. */
  private blockScalarParent: number | undefined;

  line(text: string, start: number, end: number, threshold: number): NestingHit | undefined {
    let i = start;
    while (i < end && text[i] === " ") i++;
    const indent = i - start;
    const blank = i >= end || text[i] === "\r" || (text[i] === "#" && !this.quote);
    if (this.blockScalarParent !== undefined) {
      if (blank || indent > this.blockScalarParent) return undefined;
      this.blockScalarParent = undefined;
    }
    if (blank && !this.quote) return undefined;
    if (!this.quote && this.flow === 0) {
      while (this.blocks.length && (this.blocks.at(-1) ?? 0) >= indent) this.blocks.pop();
      this.blocks.push(indent);
      // Compact sequences (`- - - x`) nest on one line.
      while (text[i] === "-" && (i + 1 >= end || text[i + 1] === " " || text[i + 1] === "\r")) {
        i += 2;
        while (i < end && text[i] === " ") i++;
        this.blocks.push(i - start);
        if (this.depth() > threshold) return { offset: i, depth: this.depth() };
      }
      if (this.depth() > threshold) return { offset: i, depth: this.depth() };
    }
    return this.chars(text, i, end, threshold, indent);
  }

  private depth(): number {
    return this.blocks.length + this.flow;
  }

  private chars(text: string, from: number, end: number, threshold: number, indent: number): NestingHit | undefined {
    let valueStart = true;
    for (let i = from; i < end; i++) {
      const c = text[i];
      if (this.quote) {
        if (this.quote === '"' && c === "\\") i++;
        else if (c === this.quote) {
          if (this.quote === "'" && text[i + 1] === "'") i++;
          else this.quote = undefined;
        }
        continue;
      }
      if (c === " " || c === "\t" || c === "\r") continue;
      if (c === "#" && (i === from || text[i - 1] === " " || text[i - 1] === "\t")) return undefined;
      if ((c === '"' || c === "'") && valueStart) {
        this.quote = c;
        continue;
      }
      if ((c === "[" || c === "{") && (valueStart || this.flow > 0)) {
        this.flow++;
        if (this.depth() > threshold) return { offset: i, depth: this.depth() };
        valueStart = true;
        continue;
      }
      if ((c === "]" || c === "}") && this.flow > 0) {
        this.flow--;
        valueStart = false;
        continue;
      }
      if (this.flow === 0 && (c === "|" || c === ">") && valueStart && /^[|>][-+0-9]*\s*(#.*)?\r?$/.test(text.slice(i, end))) {
        this.blockScalarParent = indent;
        return undefined;
      }
      const next = text[i + 1];
      const separator = next === undefined || i + 1 >= end || next === " " || next === "\t" || next === "\r";
      if ((c === ":" || c === "-" || c === "?") && separator) valueStart = true;
      else if (this.flow > 0 && (c === "," || c === ":")) valueStart = true;
      else valueStart = false;
    }
    return undefined;
  }
}
