import { diagnostic, type Diagnostic } from "../diagnostics.js";
import { matchFiles } from "../sources/match.js";
import type { FileTree } from "../sources/tree.js";

export interface Found {
  readonly files: string[];
  readonly diagnostics: Diagnostic[];
}

const NAMES = ["cortex.yaml", "cortex.yml"];

/**
 * Default: `cortex.yaml`, else `cortex.yml` at the root (one entity). With DESCRIPTOR: every
 * file the patterns match (a monorepo), each pattern required to match something.
 */
export function findDescriptors(tree: FileTree, patterns: readonly string[] | undefined): Found {
  return patterns ? byPatterns(tree, patterns) : atRoot(tree);
}

function atRoot(tree: FileTree): Found {
  const [yaml, yml] = NAMES.map((n) => tree.entry(n)?.type === "blob");
  const diagnostics: Diagnostic[] = [];
  if (yaml && yml) {
    diagnostics.push(
      diagnostic("DESCRIPTOR_AMBIGUOUS", "warning", "both cortex.yaml and cortex.yml exist; cortex.yaml is read and cortex.yml is ignored", {
        hint: "Delete one of them so people and tools agree on which describes the entity.",
        place: { file: "cortex.yml" },
      }),
    );
  }
  if (yaml || yml) return { files: [yaml ? "cortex.yaml" : "cortex.yml"], diagnostics };
  const elsewhere = descriptorsElsewhere(tree);
  diagnostics.push(
    diagnostic("DESCRIPTOR_NOT_FOUND", "error", "no descriptor found: looked for cortex.yaml and cortex.yml at the repository root", {
      hint: elsewhere.length
        ? `Set DESCRIPTOR to the one(s) this repository has: ${elsewhere.join(", ")}.`
        : "Add a cortex.yaml at the repository root, or set DESCRIPTOR to where it lives (e.g. services/*/cortex.yaml).",
    }),
  );
  return { files: [], diagnostics };
}

function byPatterns(tree: FileTree, patterns: readonly string[]): Found {
  const diagnostics: Diagnostic[] = [];
  const files = new Set<string>();
  for (const pattern of patterns) {
    const hits = matchFiles(tree, pattern);
    if (hits.length === 0) diagnostics.push(noMatch(tree, pattern));
    for (const h of hits) files.add(h);
  }
  return { files: [...files].sort(), diagnostics };
}

function noMatch(tree: FileTree, pattern: string): Diagnostic {
  const clean = pattern.replace(/^\.\//, "").replace(/\/+$/, "");
  if (tree.entry(clean)?.type === "tree") {
    const inside = NAMES.map((n) => `${clean}/${n}`).find((p) => tree.entry(p)?.type === "blob");
    return diagnostic("DESCRIPTOR_NOT_FOUND", "error", `DESCRIPTOR "${pattern}" is a directory; it must name the descriptor file`, {
      hint: `Set DESCRIPTOR to ${inside ?? `${clean}/cortex.yaml`}.`,
    });
  }
  const elsewhere = descriptorsElsewhere(tree);
  return diagnostic("DESCRIPTOR_NOT_FOUND", "error", `no descriptor matches DESCRIPTOR pattern "${pattern}" in this commit`, {
    hint: `Patterns are repository-relative globs, e.g. cortex.yaml or services/*/cortex.yaml${elsewhere.length ? `; this commit has ${elsewhere.join(", ")}` : ""}.`,
  });
}

/** Up to three files named like a descriptor anywhere in the tree: what the user probably meant. */
function descriptorsElsewhere(tree: FileTree): string[] {
  const found = tree.paths().filter((p) => NAMES.includes(p.split("/").at(-1) ?? "") && tree.entry(p)?.type === "blob");
  return found.length > 3 ? [...found.slice(0, 3), "…"] : found;
}
