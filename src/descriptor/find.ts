import { diagnostic, type Diagnostic } from "../diagnostics.js";
import { matchFiles } from "../sources/match.js";
import type { FileTree } from "../sources/tree.js";

export interface Found {
  readonly files: string[];
  readonly diagnostics: Diagnostic[];
}

/**
 * Default: `cortex.yaml`, else `cortex.yml` at the root (one entity). With DESCRIPTOR: every
 * file the patterns match (a monorepo), each pattern required to match something.
 */
export function findDescriptors(tree: FileTree, patterns: readonly string[] | undefined): Found {
  const diagnostics: Diagnostic[] = [];
  if (!patterns) {
    const yaml = tree.entry("cortex.yaml")?.type === "blob";
    const yml = tree.entry("cortex.yml")?.type === "blob";
    if (yaml && yml) {
      diagnostics.push(
        diagnostic("DESCRIPTOR_AMBIGUOUS", "warning", "both cortex.yaml and cortex.yml exist; cortex.yaml is read", {
          hint: "Delete one of them so people and tools agree on which describes the entity.",
          place: { file: "cortex.yml" },
        }),
      );
    }
    if (yaml || yml) return { files: [yaml ? "cortex.yaml" : "cortex.yml"], diagnostics };
    diagnostics.push(
      diagnostic("DESCRIPTOR_NOT_FOUND", "error", "no descriptor found: looked for cortex.yaml and cortex.yml at the repository root", {
        hint: "Add a cortex.yaml, or set DESCRIPTOR to where it lives (e.g. services/*/cortex.yaml).",
      }),
    );
    return { files: [], diagnostics };
  }
  const files = new Set<string>();
  for (const pattern of patterns) {
    const hits = matchFiles(tree, pattern);
    if (hits.length === 0) {
      diagnostics.push(
        diagnostic("DESCRIPTOR_NOT_FOUND", "error", `no descriptor matches DESCRIPTOR pattern "${pattern}" in this commit`, {
          hint: "Patterns are repository-relative globs, e.g. cortex.yaml or services/*/cortex.yaml.",
        }),
      );
    }
    for (const h of hits) files.add(h);
  }
  return { files: [...files].sort(), diagnostics };
}
