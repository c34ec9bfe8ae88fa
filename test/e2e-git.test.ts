import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { descriptorYaml, scorecardYaml } from "./helpers/fixtures.js";
import { advanceBranch, BUNDLE, cleanup, commitAll, fingerprint, git, makeOrigin, makeRepo, pipelinesClone, runBundle, tempDir, writeFiles } from "./helpers/repo.js";

/** End-to-end through the built bundle, on real repositories made here. */
beforeAll(() => {
  if (!existsSync(BUNDLE)) throw new Error(`build the bundle first: npm run build (${BUNDLE})`);
});
afterAll(cleanup);

const PIPELINES_ENV = (commit: string, branch: string) => ({
  BITBUCKET_REPO_FULL_NAME: "acme/payments",
  BITBUCKET_COMMIT: commit,
  BITBUCKET_BRANCH: branch,
  BITBUCKET_BUILD_NUMBER: "42",
  CODE_INSIGHTS: "false",
});

const SCORECARD = scorecardYaml([
  { id: "has-readme", expression: 'git.fileExists("README.md")' },
  { id: "has-docs", expression: 'git.fileExists("docs")' },
  { id: "ci-config", expression: 'git.fileContents("bitbucket-pipelines.yml").matchesIn("pipe:")', level: "Silver" },
  { id: "has-changelog", expression: 'git.fileExists("CHANGELOG.md")', level: "Silver" },
  { id: "deploys", expression: 'deploys(lookback = duration("P7D")).length > 0', level: "Silver" },
]);

describe("a Pipelines clone of a feature branch", () => {
  const base = {
    "cortex.yaml": descriptorYaml(),
    ".cortex/scorecards/readiness.yaml": SCORECARD,
    "docs/index.md": "# docs\n",
    "CHANGELOG.md": "# Changelog\n",
    "bitbucket-pipelines.yml": "pipelines: {}\n",
  };
  // The feature adds a README (fixed), deletes the CHANGELOG (regression).
  const feature = { "README.md": "# Payments\n", "CHANGELOG.md": null };

  it("reads the default branch without touching the clone and reports both trees", () => {
    const origin = makeOrigin(base, feature, { extraCommits: 60 });
    const clone = pipelinesClone(origin.bare, "feature/x", origin.featureCommit);
    expect(git(clone, "branch", "-a")).not.toContain("main");
    const before = fingerprint(clone);

    const run = runBundle(clone, PIPELINES_ENV(origin.featureCommit, "feature/x"));

    expect(fingerprint(clone)).toBe(before);
    expect(run.code).toBe(1);
    const report = run.report!;
    expect(report.defaultBranch).toEqual({ name: "main", commit: origin.defaultCommit });
    expect(report.commit).toBe(origin.featureCommit);
    const rules = Object.fromEntries(report.entities[0]!.scorecards[0]!.rules.map((r) => [r.identifier, r]));
    expect(rules["has-readme"]).toMatchObject({ defaultBranch: { outcome: "fail" }, commit: { outcome: "pass" }, change: "fixed" });
    expect(rules["has-readme"]!.defaultBranch.message).toContain("README.md does not exist on main");
    expect(rules["has-changelog"]).toMatchObject({ defaultBranch: { outcome: "pass" }, commit: { outcome: "fail" }, change: "regression" });
    expect(rules["has-docs"]!.commit.outcome).toBe("pass");
    expect(rules["ci-config"]!.commit.outcome).toBe("fail");
    expect(rules["deploys"]!.commit).toMatchObject({ outcome: "skip" });
    expect(rules["deploys"]!.commit.message).toContain("deploys");
    const card = report.entities[0]!.scorecards[0]!;
    expect(card.defaultBranch).toMatchObject({ score: 2, total: 4, level: null, skipped: 1 });
    expect(card.commit).toMatchObject({ score: 2, total: 4, percentage: 50, level: "Bronze" });
    expect(existsSync(path.join(clone, "scorecard-reports"))).toBe(false);
  });

  it("FAIL_ON=regression fails only on the rule this change breaks", () => {
    const origin = makeOrigin(base, feature);
    const clone = pipelinesClone(origin.bare, "feature/x");
    const run = runBundle(clone, { ...PIPELINES_ENV(origin.featureCommit, "feature/x"), FAIL_ON: "regression" });
    expect(run.code).toBe(1);
    expect(run.report!.gate.reasons).toEqual([expect.stringContaining('"has-changelog" regressed')]);
  });

  it("FAIL_ON=regression passes when nothing regresses, though rules still fail", () => {
    const origin = makeOrigin(base, { "README.md": "# Payments\n" });
    const clone = pipelinesClone(origin.bare, "feature/x");
    const run = runBundle(clone, { ...PIPELINES_ENV(origin.featureCommit, "feature/x"), FAIL_ON: "regression" });
    expect(run.report!.result).toBe("PASSED");
    expect(run.code).toBe(0);
  });

  it("evaluates the merge in a pull-request build while reporting on the source commit", () => {
    const origin = makeOrigin(base, feature);
    advanceBranch(origin.bare, "main", { "NOTES.md": "main moved on\n" });
    const clone = pipelinesClone(origin.bare, "feature/x");
    // Pipelines merges the destination into the checkout for PR builds.
    git(clone, "fetch", "-q", "origin", "main");
    git(clone, "-c", "user.name=T", "-c", "user.email=t@e", "merge", "-q", "--no-edit", "FETCH_HEAD");
    const merged = git(clone, "rev-parse", "HEAD");
    const before = fingerprint(clone);
    const run = runBundle(clone, { ...PIPELINES_ENV(origin.featureCommit, "feature/x"), BITBUCKET_PR_ID: "7", BITBUCKET_PR_DESTINATION_BRANCH: "main" });
    expect(fingerprint(clone)).toBe(before);
    expect(run.report!.commit).toBe(origin.featureCommit);
    expect(run.report!.evaluatedCommit).toBe(merged);
    expect(run.report!.pullRequest).toEqual({ id: "7", destination: "main" });
  });

  it("passes on a compliant push to the default branch and writes every output", () => {
    const origin = makeOrigin({ ...base, "README.md": "# x\n", "bitbucket-pipelines.yml": "- pipe: x\n" }, {});
    const clone = pipelinesClone(origin.bare, "main");
    const junit = path.join(tempDir("junit"), "results.xml");
    const run = runBundle(clone, { ...PIPELINES_ENV(origin.defaultCommit, "main"), JUNIT_FILE: junit });
    expect(run.stderr).not.toContain("Error");
    expect(run.code).toBe(0);
    expect(run.report!.result).toBe("PASSED");
    expect(run.report!.entities[0]!.scorecards[0]!.commit.level).toBe("Silver");
    expect(existsSync(junit)).toBe(true);
    expect(run.stdout).toContain("result: PASSED (exit 0)");
  });
});

describe("bad input through the bundle", () => {
  it("exits 2 outside a git repository", () => {
    const run = runBundle(tempDir("plain"));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is not inside a git repository");
    expect(run.report).toBeUndefined();
  });

  it("reports every invalid variable at once with exit 2", () => {
    const repo = makeRepo({ "cortex.yaml": descriptorYaml() });
    const run = runBundle(repo, { FAIL_ON: "sometimes", DRY_RUN: "yes", MIN_SCORE: "120", REPORT_ID: "x".repeat(60) });
    expect(run.code).toBe(2);
    for (const v of ["FAIL_ON", "DRY_RUN", "MIN_SCORE", "REPORT_ID"]) expect(run.stderr).toContain(v);
    expect(run.stderr).toContain("failure, regression, never");
  });

  it("refuses a DEFAULT_BRANCH that could be read as a git option", () => {
    const repo = makeRepo({ "cortex.yaml": descriptorYaml() });
    const run = runBundle(repo, { DEFAULT_BRANCH: "--upload-pack=touch /tmp/pwned" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('starts with "-"');
  });

  it("exits 2 when DEFAULT_BRANCH names a branch that does not exist", () => {
    const origin = makeOrigin({ "cortex.yaml": descriptorYaml() }, {});
    const clone = pipelinesClone(origin.bare, "feature/x");
    const run = runBundle(clone, { DEFAULT_BRANCH: "develop" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DEFAULT_BRANCH "develop" does not exist on origin');
  });

  it("exits 3 with DEFAULT_BRANCH_UNRESOLVED when there is no origin and no main/master", () => {
    const repo = makeRepo({ "cortex.yaml": descriptorYaml() }, { defaultBranch: "trunk" });
    const run = runBundle(repo);
    expect(run.code).toBe(3);
    expect(run.report!.diagnostics[0]).toMatchObject({ code: "DEFAULT_BRANCH_UNRESOLVED", hint: expect.stringContaining("DEFAULT_BRANCH") });
    expect(runBundle(repo, { DEFAULT_BRANCH: "trunk" }).code).not.toBe(3);
  });

  it("exits 3 when origin is unreachable and nothing local names the default branch", () => {
    const repo = makeRepo({ "cortex.yaml": descriptorYaml() }, { defaultBranch: "trunk" });
    git(repo, "remote", "add", "origin", "http://127.0.0.1:9/acme/payments.git");
    const run = runBundle(repo);
    expect(run.code).toBe(3);
    expect(run.report!.diagnostics[0]!.code).toBe("DEFAULT_BRANCH_UNRESOLVED");
  });

  it("reports a missing descriptor with exit 1 and where it looked", () => {
    const repo = makeRepo({ "README.md": "x" });
    const run = runBundle(repo);
    expect(run.code).toBe(1);
    expect(run.report!.diagnostics).toContainEqual(expect.objectContaining({ code: "DESCRIPTOR_NOT_FOUND", message: expect.stringContaining("cortex.yaml and cortex.yml") }));
  });

  it("reports a YAML syntax error at its line and column", () => {
    const repo = makeRepo({ "cortex.yaml": "openapi: 3.0.1\ninfo:\n  title: x\n  x-cortex-tag: [unclosed\n" });
    const run = runBundle(repo);
    expect(run.code).toBe(1);
    const d = run.report!.diagnostics.find((x) => x.code === "YAML_SYNTAX");
    expect(d).toMatchObject({ file: "cortex.yaml", line: expect.any(Number), column: expect.any(Number) });
    expect(run.stdout).toMatch(/cortex\.yaml:\d+:\d+ error YAML_SYNTAX/);
  });

  it("keeps going past a scorecard that is not YAML and a rule with a CQL syntax error", () => {
    const repo = makeRepo({
      "cortex.yaml": descriptorYaml(),
      ".cortex/scorecards/broken.yaml": "\u0000\u0001binary",
      ".cortex/scorecards/ok.yaml": scorecardYaml([
        { id: "bad", expression: 'git.fileExists("README.md" and' },
        { id: "good", expression: 'git.fileExists("cortex.yaml")' },
      ]),
    });
    const run = runBundle(repo);
    expect(run.code).toBe(1);
    const codes = run.report!.diagnostics.map((d) => d.code);
    expect(codes).toContain("ENCODING");
    const cql = run.report!.diagnostics.find((d) => d.code === "CQL_SYNTAX")!;
    // Line 12 of the scorecard holds the broken expression.
    expect(cql).toMatchObject({ file: ".cortex/scorecards/ok.yaml", line: 12 });
    expect(cql.message).toContain("column");
    const rules = run.report!.entities[0]!.scorecards[0]!.rules;
    expect(rules.find((r) => r.identifier === "good")!.commit.outcome).toBe("pass");
    expect(rules.find((r) => r.identifier === "bad")!.commit.outcome).toBe("error");
  });

  it("confirms the repository and basepath against the real repository", () => {
    const repo = makeRepo({
      "cortex.yaml": descriptorYaml({ repository: "acme/other", basepath: "Services/Payments" }),
      "services/payments/main.ts": "x",
    });
    const run = runBundle(repo, { BITBUCKET_REPO_FULL_NAME: "acme/payments" });
    const byCode = Object.fromEntries(run.report!.diagnostics.map((d) => [d.code, d]));
    expect(byCode.REPOSITORY_MISMATCH!.message).toContain('"acme/other" but this repository is "acme/payments"');
    expect(byCode.REPOSITORY_MISMATCH!.line).toBe(11);
    expect(byCode.BASEPATH_SPELLING!.message).toContain('"services/payments" does');
  });

  it("--help prints the variables and exits 0", () => {
    const run = runBundle(tempDir("help"), {}, ["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--fail-on");
    expect(run.stdout).toContain("CORTEX_API_KEY");
  });

  it("reads only committed content: uncommitted edits do not change the result", () => {
    const repo = makeRepo({ "cortex.yaml": descriptorYaml(), ".cortex/scorecards/a.yaml": scorecardYaml([{ id: "r", expression: 'git.fileExists("NEW.md")' }]) });
    writeFiles(repo, { "NEW.md": "uncommitted" });
    expect(runBundle(repo).report!.entities[0]!.scorecards[0]!.rules[0]!.commit.outcome).toBe("fail");
    commitAll(repo);
    expect(runBundle(repo).report!.entities[0]!.scorecards[0]!.rules[0]!.commit.outcome).toBe("pass");
  });
});

describe("the default branch's descriptor vs this commit's", () => {
  it("says what the catalog reads today and warns when merging changes the tag", () => {
    const origin = makeOrigin({ "cortex.yaml": descriptorYaml({ tag: "payments-old" }) }, { "cortex.yaml": descriptorYaml({ tag: "payments" }) });
    const clone = pipelinesClone(origin.bare, "feature/x");
    const run = runBundle(clone, { BITBUCKET_REPO_FULL_NAME: "acme/payments" });
    const changed = run.report!.diagnostics.filter((d) => d.code === "DESCRIPTOR_CHANGED");
    expect(changed).toContainEqual(expect.objectContaining({ severity: "info", message: expect.stringContaining('the catalog reads the main version until this is merged (tag "payments-old")') }));
    expect(changed).toContainEqual(expect.objectContaining({ severity: "warning", message: expect.stringContaining('from "payments-old" on main to "payments"') }));
  });

  it("says when the default branch's descriptor is invalid and this commit fixes it", () => {
    const origin = makeOrigin({ "cortex.yaml": "openapi: 3.0.1\ninfo:\n  title: x\n" }, { "cortex.yaml": descriptorYaml() });
    const clone = pipelinesClone(origin.bare, "feature/x");
    const run = runBundle(clone, { BITBUCKET_REPO_FULL_NAME: "acme/payments" });
    expect(run.report!.diagnostics).toContainEqual(expect.objectContaining({ code: "DESCRIPTOR_CHANGED", message: expect.stringContaining("which is invalid there (1 error, first: SCHEMA") }));
    expect(run.code).toBe(0);
  });
});

describe("where the repository is", () => {
  it("falls back to BITBUCKET_CLONE_DIR when the working directory is not a repository", () => {
    const repo = makeRepo({ "cortex.yaml": descriptorYaml() });
    const run = runBundle(tempDir("elsewhere"), { BITBUCKET_CLONE_DIR: repo });
    expect(run.code).toBe(0);
    expect(run.report!.entities[0]!.tag).toBe("payments");
  });
});

describe("output paths are never a way into the checkout", () => {
  it("refuses to write through a symlink the repository contains", () => {
    const victim = path.join(tempDir("victim"), "precious.txt");
    writeFileSync(victim, "precious\n");
    const repo = makeRepo({ "cortex.yaml": descriptorYaml(), "test-results/catalog-scorecard.xml": { symlink: victim }, "scorecard-reports": { symlink: path.dirname(victim) } });
    const run = runBundle(repo, { JUNIT_FILE: "test-results/catalog-scorecard.xml", OUTPUT_DIR: "scorecard-reports" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("would write through the symlink test-results/catalog-scorecard.xml");
    expect(run.stderr).toContain("would write through the symlink scorecard-reports");
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
  });

  it("refuses .git and tracked files as outputs, all at once", () => {
    const repo = makeRepo({ "cortex.yaml": descriptorYaml() });
    const run = runBundle(repo, { JUNIT_FILE: "cortex.yaml", OUTPUT_DIR: ".git/refs/heads" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("OUTPUT_DIR points into .git");
    expect(run.stderr).toContain("JUNIT_FILE would overwrite cortex.yaml");
    expect(git(repo, "status", "--porcelain")).toBe("");
  });

  it("says why when the outputs cannot be written, without a stack trace", () => {
    const repo = makeRepo({ "cortex.yaml": descriptorYaml(), ".cortex/x.txt": "x" });
    const run = runBundle(repo, { JUNIT_FILE: "/dev/full" });
    expect(run.stderr).toContain("could not write the report files: ENOSPC");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.code).toBe(3);
  });
});

describe("the default branch is scored with its own descriptor", () => {
  const card = scorecardYaml([{ id: "has-readme", expression: 'git.fileExists("README.md")' }, { id: "git-linked", expression: "git != null" }]);

  it("a pull request that moves the basepath away from the README is a regression", () => {
    const origin = makeOrigin(
      { "cortex.yaml": descriptorYaml({ basepath: "services/a" }), "services/a/README.md": "a", "services/b/main.ts": "b", ".cortex/scorecards/r.yaml": card },
      { "cortex.yaml": descriptorYaml({ basepath: "services/b" }) },
    );
    const clone = pipelinesClone(origin.bare, "feature/x");
    const run = runBundle(clone, { BITBUCKET_REPO_FULL_NAME: "acme/payments", FAIL_ON: "regression" });
    const rule = run.report!.entities[0]!.scorecards[0]!.rules.find((r) => r.identifier === "has-readme")!;
    expect(rule).toMatchObject({ defaultBranch: { outcome: "pass" }, commit: { outcome: "fail" }, change: "regression" });
    expect(run.code).toBe(1);
  });

  it("a pull request that deletes x-cortex-git regresses `git != null`", () => {
    const noGit = descriptorYaml().replace(/  x-cortex-git:\n    bitbucket:\n      repository: acme\/payments\n/, "");
    const origin = makeOrigin({ "cortex.yaml": descriptorYaml(), "README.md": "x", ".cortex/scorecards/r.yaml": card }, { "cortex.yaml": noGit });
    const clone = pipelinesClone(origin.bare, "feature/x");
    const run = runBundle(clone, { BITBUCKET_REPO_FULL_NAME: "acme/payments", FAIL_ON: "regression" });
    const rule = run.report!.entities[0]!.scorecards[0]!.rules.find((r) => r.identifier === "git-linked")!;
    expect(rule.change).toBe("regression");
    expect(run.code).toBe(1);
  });

  it("a new descriptor has nothing to score on the default branch yet", () => {
    const origin = makeOrigin({ "README.md": "x", ".cortex/scorecards/r.yaml": card }, { "cortex.yaml": descriptorYaml() });
    const clone = pipelinesClone(origin.bare, "feature/x");
    const run = runBundle(clone, { BITBUCKET_REPO_FULL_NAME: "acme/payments", FAIL_ON: "regression" });
    const rule = run.report!.entities[0]!.scorecards[0]!.rules[0]!;
    expect(rule.defaultBranch).toEqual({ outcome: "skip", message: "cortex.yaml is not on main yet, so the catalog has no such entity to score there" });
    expect(run.code).toBe(0);
  });
});

describe("deleting scorecards is not a way around the gate", () => {
  it("a scorecard the default branch has and this commit deletes is still evaluated, with a warning", () => {
    const card = scorecardYaml([{ id: "has-license", expression: 'git.fileExists("LICENSE")' }]);
    const origin = makeOrigin({ "cortex.yaml": descriptorYaml(), "LICENSE": "x", ".cortex/scorecards/r.yaml": card }, { "LICENSE": null, ".cortex/scorecards/r.yaml": null });
    const clone = pipelinesClone(origin.bare, "feature/x");
    const run = runBundle(clone, { BITBUCKET_REPO_FULL_NAME: "acme/payments" });
    expect(run.report!.diagnostics).toContainEqual(expect.objectContaining({ code: "SCORECARD_NOT_FOUND", severity: "warning", message: expect.stringContaining("this commit deletes it") }));
    expect(run.report!.entities[0]!.scorecards[0]!.rules[0]).toMatchObject({ change: "regression" });
    expect(run.code).toBe(1);
  });
});

describe("REQUIRED_LEVEL", () => {
  it("a level no ladder has is a usage error naming the levels", () => {
    const repo = makeRepo({ "cortex.yaml": descriptorYaml(), ".cortex/scorecards/r.yaml": scorecardYaml([{ id: "r", expression: "true" }]) });
    const run = runBundle(repo, { REQUIRED_LEVEL: "Bronz" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('REQUIRED_LEVEL "Bronz" is not a level of any scorecard\'s ladder (levels: Bronze, Silver)');
  });
});

describe("DRY_RUN without any credentials", () => {
  it("still writes the payloads it would send, and contacts nothing", () => {
    const repo = makeRepo({ "cortex.yaml": descriptorYaml(), ".cortex/scorecards/r.yaml": scorecardYaml([{ id: "r", expression: 'git.fileExists("NOPE")' }]) });
    const out = path.join(tempDir("dry"), "reports");
    const run = runBundle(repo, { DRY_RUN: "true", OUTPUT_DIR: out });
    for (const f of ["insights-report.json", "insights-annotations.json", "catalog-custom-data.json"]) expect(existsSync(path.join(out, f))).toBe(true);
    expect(run.report!.publish).toEqual([
      expect.objectContaining({ target: "code-insights", status: "dry-run", detail: expect.stringContaining("would post to nowhere") }),
      expect.objectContaining({ target: "catalog", status: "dry-run" }),
    ]);
  });
});

describe("BITBUCKET_COMMIT", () => {
  it("warns when it is neither the checkout nor a parent of it", () => {
    const repo = makeRepo({ "cortex.yaml": descriptorYaml() });
    const first = git(repo, "rev-parse", "HEAD");
    writeFiles(repo, { "a.txt": "a" });
    commitAll(repo);
    writeFiles(repo, { "b.txt": "b" });
    commitAll(repo);
    const run = runBundle(repo, { BITBUCKET_COMMIT: first });
    expect(run.report!.diagnostics).toContainEqual(expect.objectContaining({ code: "COMMIT_MISMATCH", severity: "warning" }));
    const parent = git(repo, "rev-parse", "HEAD~1");
    expect(runBundle(repo, { BITBUCKET_COMMIT: parent }).report!.diagnostics.map((d) => d.code)).not.toContain("COMMIT_MISMATCH");
  });
});
