import { diagnostic, type Diagnostic } from "../diagnostics.js";
import { readYamlFile } from "../entities.js";
import { matchFiles } from "../sources/match.js";
import type { FileTree } from "../sources/tree.js";
import { loadYaml } from "../yaml/load.js";
import type { Scorecard } from "./model.js";
import { readScorecard } from "./scorecard.js";

export const DEFAULT_SCORECARDS = [".cortex/scorecards/*.yaml", ".cortex/scorecards/*.yml"];

/** Scorecard files from this commit's tree: the scorecards the team keeps beside its code. */
export async function loadScorecardFiles(
  tree: FileTree,
  patterns: readonly string[] | undefined,
  only: (file: string) => boolean = () => true,
): Promise<{ scorecards: Scorecard[]; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const files = new Set<string>();
  for (const pattern of patterns ?? DEFAULT_SCORECARDS) {
    const hits = matchFiles(tree, pattern).filter(only);
    if (!hits.length && patterns) {
      diagnostics.push(
        diagnostic("SCORECARD_NOT_FOUND", "error", `no scorecard file matches SCORECARDS pattern "${pattern}"`, {
          hint: "Patterns are repository-relative globs, e.g. .cortex/scorecards/*.yaml.",
        }),
      );
    }
    for (const h of hits) files.add(h);
  }
  const scorecards: Scorecard[] = [];
  for (const file of [...files].sort()) {
    const y = await readYamlFile(tree, file);
    diagnostics.push(...y.diagnostics.map((d) => (d.code === "NOT_A_DESCRIPTOR" || d.code === "DESCRIPTOR_NOT_FOUND" ? { ...d, code: "SCORECARD_SCHEMA" as const } : d)));
    if (!y.loaded) continue;
    const s = readScorecard(y.loaded);
    diagnostics.push(...s.diagnostics);
    if (s.scorecard) scorecards.push(s.scorecard);
  }
  if (!files.size && !patterns) {
    diagnostics.push(
      diagnostic("SCORECARD_NOT_FOUND", "info", `no scorecard files under ${DEFAULT_SCORECARDS.join(" or ")}; only the descriptor was checked`, {
        hint: "Add the catalog's scorecard YAML there, set SCORECARDS, or fetch them with SCORECARD_TAGS.",
      }),
    );
  }
  return { scorecards, diagnostics };
}

/** A scorecard fetched from the catalog (`GET /api/v1/scorecards/{tag}/descriptor`). */
export function scorecardFromText(tag: string, text: string): { scorecard: Scorecard | undefined; diagnostics: Diagnostic[] } {
  const source = `catalog:${tag}`;
  const y = loadYaml(source, Buffer.from(text, "utf8"));
  if (!y.loaded) return { scorecard: undefined, diagnostics: y.diagnostics };
  const s = readScorecard(y.loaded, source);
  return { scorecard: s.scorecard, diagnostics: [...y.diagnostics, ...s.diagnostics] };
}

/**
 * This commit's scorecards, plus any the default branch has and this commit deletes: deleting a
 * scorecard in a pull request must not be a way around its gate. The deleted one is still
 * evaluated (on both trees) and reported with a warning.
 */
export async function loadScorecardsBothTrees(
  head: FileTree,
  defaultTree: FileTree,
  patterns: readonly string[] | undefined,
): Promise<{ scorecards: Scorecard[]; diagnostics: Diagnostic[] }> {
  const now = await loadScorecardFiles(head, patterns);
  if (defaultTree.commit === head.commit) return now;
  // Only files this commit deletes can be carried over: the others are not read twice.
  const before = await loadScorecardFiles(defaultTree, patterns, (file) => head.entry(file) === undefined);
  const tags = new Set(now.scorecards.map((s) => s.tag));
  const carried = before.scorecards.filter((s) => !tags.has(s.tag) && head.entry(s.source) === undefined);
  const diagnostics = [...now.diagnostics];
  if (!patterns) {
    // The info "no scorecard files" is wrong when the default branch still has some.
    if (carried.length) diagnostics.splice(0, diagnostics.length, ...diagnostics.filter((d) => d.code !== "SCORECARD_NOT_FOUND"));
  }
  for (const s of carried) {
    diagnostics.push(
      diagnostic("SCORECARD_NOT_FOUND", "warning", `scorecard "${s.tag}" (${s.source}) is on ${defaultTree.label} but this commit deletes it; it is still evaluated until the deletion is merged`, {
        hint: "Deleting a scorecard in a pull request does not lift its gate; merge the deletion on its own if it is intended.",
        place: { file: s.source },
      }),
    );
  }
  return { scorecards: [...now.scorecards, ...carried], diagnostics };
}
