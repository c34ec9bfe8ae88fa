import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { evaluateEntity } from "../src/rules/engine.js";
import { makeJqRunner } from "../src/rules/jq.js";
import { makeRegexRunner } from "../src/rules/regex.js";
import { readScorecard } from "../src/rules/scorecard.js";
import { memoryTree } from "../src/sources/memory-tree.js";
import { loadYaml } from "../src/yaml/load.js";

/**
 * Every real scorecard in the shared corpus loads, and each of its rules is either decided or
 * skipped with a reason that names what only the catalog knows; none is an `error`.
 */
// Copies of ../shared/corpus/scorecards (see test/fixtures/scorecards/index.tsv for sources).
const CORPUS = path.resolve(__dirname, "fixtures/scorecards");
const files = readdirSync(CORPUS).filter((f) => f.endsWith(".yaml"));
const jq = makeJqRunner();
afterAll(() => jq.close());

const entity = {
  tag: "payments",
  name: "Payments",
  description: "Takes the money.",
  type: "service",
  owners: [{ type: "GROUP", name: "team-payments" }],
  groups: ["tier-1", "demo-github-actions-deploys"],
  customMetadata: {},
  hasGit: true,
};
const tree = memoryTree({ "README.md": "# Payments\n", "docs/index.md": "x" });

it("the corpus is there", () => {
  expect(files.length).toBeGreaterThanOrEqual(8);
});

describe.each(files)("%s", (file) => {
  it("loads without a scorecard error and decides or skips every rule with a reason", async () => {
    const y = loadYaml(file, readFileSync(path.join(CORPUS, file)));
    expect(y.loaded).toBeDefined();
    const { scorecard, diagnostics } = readScorecard(y.loaded!);
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(scorecard).toBeDefined();
    // Filters are the scorecard's business; here every rule must say what it can about any entity.
    const unfiltered = { ...scorecard!, filter: undefined, rules: scorecard!.rules.map((r) => ({ ...r, filter: undefined })) };
    const result = await evaluateEntity(
      { entity, basepath: "", defaultTree: tree, headTree: tree, defaultBranchName: "main", catalogCustom: undefined, regex: makeRegexRunner(), jq, now: new Date() },
      [unfiltered],
    );
    const rules = result.scorecards[0]!.rules;
    expect(rules).toHaveLength(scorecard!.rules.length);
    for (const r of rules) {
      for (const side of [r.defaultBranch, r.commit]) {
        expect(side.outcome, `${r.identifier}: ${r.expression} → ${side.message ?? ""}`).not.toBe("error");
        if (side.outcome === "skip") expect(side.message).toMatch(/not decidable here: .+/);
      }
    }
  });
});
