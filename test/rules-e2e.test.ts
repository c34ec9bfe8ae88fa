import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { descriptorYaml, scorecardYaml } from "./helpers/fixtures.js";
import { BUNDLE, cleanup, commitAll, git, makeRepo, runBundle, tempDir, writeFiles } from "./helpers/repo.js";

/** Rules through the built bundle on real repositories: what the table does not cover. */
beforeAll(() => {
  if (!existsSync(BUNDLE)) throw new Error(`build the bundle first: npm run build (${BUNDLE})`);
});
afterAll(cleanup);

const rulesOf = (run: ReturnType<typeof runBundle>) => Object.fromEntries(run.report!.entities[0]!.scorecards[0]!.rules.map((r) => [r.identifier, r]));

describe("a real submodule", () => {
  it("exists, and its contents are unknown with a reason", () => {
    const lib = makeRepo({ "README.md": "# lib\n" });
    const repo = makeRepo({
      "cortex.yaml": descriptorYaml(),
      ".cortex/scorecards/s.yaml": scorecardYaml([
        { id: "exists", expression: 'git.fileExists("vendor/lib")' },
        { id: "contents", expression: 'git.fileContents("vendor/lib/README.md").contains("lib")' },
        { id: "inside", expression: 'git.fileExists("vendor/lib/README.md")' },
      ]),
    });
    git(repo, "submodule", "add", "-q", `file://${lib}`, "vendor/lib");
    commitAll(repo, "add submodule");
    const run = runBundle(repo);
    const rules = rulesOf(run);
    expect(rules.exists!.commit).toEqual({ outcome: "pass" });
    expect(rules.contents!.commit).toMatchObject({ outcome: "skip", message: expect.stringContaining("vendor/lib is a git submodule") });
    expect(rules.inside!.commit.outcome).toBe("skip");
  });
});

describe("CQL_SYNTAX through the bundle", () => {
  it("points into quoted and block-scalar expressions at their line and column", () => {
    const card = [
      "tag: t",
      "name: T",
      "rules:",
      "  - identifier: quoted",
      '    expression: "git.fileExists(\\"a\\") ~ true"',
      "  - identifier: block",
      "    expression: |",
      '      git.fileExists("a")',
      "        and ~",
    ].join("\n");
    const repo = makeRepo({ "cortex.yaml": descriptorYaml(), ".cortex/scorecards/s.yaml": `${card}\n` });
    const run = runBundle(repo);
    const cql = run.report!.diagnostics.filter((d) => d.code === "CQL_SYNTAX").map((d) => [d.line, d.column]);
    // Line 5: the value starts at column 18; `~` is its 21st character, after two escaped quotes
    // that take two columns each in the file. Line 9: a block scalar's own line and indentation.
    expect(cql).toEqual([
      [5, 40],
      [9, 13],
    ]);
    expect(run.code).toBe(1);
  });
});

describe("the gate through the bundle", () => {
  const repoWith = (rules: Parameters<typeof scorecardYaml>[0], o: { draft?: boolean } = {}) =>
    makeRepo({ "cortex.yaml": descriptorYaml(), "README.md": "# x\n", ".cortex/scorecards/s.yaml": scorecardYaml(rules, o) });

  it("REQUIRED_LEVEL and MIN_SCORE judge this commit's evaluation", () => {
    const repo = repoWith([
      { id: "readme", expression: 'git.fileExists("README.md")' },
      { id: "changelog", expression: 'git.fileExists("CHANGELOG.md")', level: "Silver" },
    ]);
    const silver = runBundle(repo, { FAIL_ON: "never", REQUIRED_LEVEL: "Silver" });
    expect(silver.code).toBe(1);
    expect(silver.report!.gate.reasons).toEqual(["payments / Readiness: level Bronze is below REQUIRED_LEVEL Silver"]);
    expect(runBundle(repo, { FAIL_ON: "never", REQUIRED_LEVEL: "Bronze" }).code).toBe(0);
    expect(runBundle(repo, { FAIL_ON: "never", MIN_SCORE: "60" }).report!.gate.reasons).toEqual(["payments / Readiness: score 50% is below MIN_SCORE 60%"]);
    expect(runBundle(repo, { FAIL_ON: "never", MIN_SCORE: "50" }).code).toBe(0);
  });

  it("a rule effective in the future is shown with enforced: false and does not fail the build", () => {
    const repo = repoWith([
      { id: "readme", expression: 'git.fileExists("README.md")' },
      { id: "later", expression: 'git.fileExists("CHANGELOG.md")', effectiveFrom: "2999-01-01" },
    ]);
    const run = runBundle(repo);
    expect(run.code).toBe(0);
    expect(rulesOf(run).later).toMatchObject({ enforced: false, effectiveFrom: "2999-01-01", commit: { outcome: "fail" } });
    expect(run.report!.entities[0]!.scorecards[0]!.commit).toMatchObject({ score: 1, total: 1 });
  });

  it("a draft scorecard is reported, not enforced", () => {
    const run = runBundle(repoWith([{ id: "changelog", expression: 'git.fileExists("CHANGELOG.md")' }], { draft: true }));
    expect(run.code).toBe(0);
    expect(run.report!.entities[0]!.scorecards[0]).toMatchObject({ draft: true, commit: { failed: 1 } });
  });

  it("a broken rule fails the build even with FAIL_ON=regression", () => {
    const run = runBundle(repoWith([{ id: "typo", expression: 'git.fileExist("README.md")' }]), { FAIL_ON: "regression" });
    expect(run.code).toBe(1);
    expect(run.report!.gate.reasons[0]).toContain("did you mean fileExists()");
  });

  it("a skipped rule never fails the build", () => {
    const run = runBundle(repoWith([{ id: "deploys", expression: "deploys().length > 0" }]));
    expect(run.code).toBe(0);
    expect(rulesOf(run).deploys!.commit).toEqual({ outcome: "skip", message: "not decidable here: deploys() needs data only the catalog collects" });
  });
});

describe("both trees", () => {
  it("explains a rule fixed in this commit and one it breaks", () => {
    const repo = makeRepo({
      "cortex.yaml": descriptorYaml(),
      "CHANGELOG.md": "x",
      ".cortex/scorecards/s.yaml": scorecardYaml([
        { id: "readme", expression: 'git.fileExists("README.md")' },
        { id: "changelog", expression: 'git.fileExists("CHANGELOG.md")' },
      ]),
    });
    git(repo, "checkout", "-q", "-b", "feature");
    writeFiles(repo, { "README.md": "# x\n", "CHANGELOG.md": null });
    commitAll(repo);
    const rules = rulesOf(runBundle(repo, { DEFAULT_BRANCH: "main", OUTPUT_DIR: path.join(tempDir("o"), "r") }));
    expect(rules.readme).toMatchObject({ change: "fixed", defaultBranch: { outcome: "fail", message: "README.md does not exist on main" } });
    expect(rules.readme!.commit.message).toContain("it will pass once merged");
    expect(rules.changelog).toMatchObject({ change: "regression", commit: { outcome: "fail" } });
    expect(rules.changelog!.commit.message).toContain("CHANGELOG.md does not exist in this commit — passes on main today");
  });
});
