import type { Report, RuleResult } from "../../src/report/model.js";

/** A report with `failing` failing rules (some regressions) and a couple of diagnostics. */
export function syntheticReport(failing: number, o: { result?: "PASSED" | "FAILED"; messageLength?: number } = {}): Report {
  const rules: RuleResult[] = Array.from({ length: failing }, (_, i) => ({
    identifier: `rule-${i}`,
    title: `Rule ${i}`,
    expression: `git.fileExists("f${i}")`,
    level: "Bronze",
    weight: 1,
    enforced: true,
    line: 10 + i,
    defaultBranch: { outcome: i % 10 === 0 ? "pass" : "fail", message: `f${i} does not exist on main` },
    commit: { outcome: "fail", message: o.messageLength ? "x".repeat(o.messageLength) : `f${i} does not exist in this commit` },
    change: i % 10 === 0 ? "regression" : "none",
  }));
  return {
    schemaVersion: 1,
    tool: { name: "catalog-scorecard-pipe", version: "0.0.0-test" },
    repository: "acme/payments",
    commit: "a".repeat(40),
    branch: "feature/x",
    defaultBranch: { name: "main", commit: "b".repeat(40) },
    result: o.result ?? "FAILED",
    exitCode: o.result === "PASSED" ? 0 : 1,
    gate: { failOn: "failure", reasons: failing ? ["rules fail"] : [] },
    diagnostics: [
      { code: "REPOSITORY_MISMATCH", severity: "error", message: "wrong repository", hint: "fix it", file: "cortex.yaml", line: 11, column: 19 },
      { code: "UNKNOWN_KEY", severity: "warning", message: "unknown key", file: "cortex.yaml", line: 5, column: 3 },
      { code: "REPOSITORY_UNCONFIRMED", severity: "info", message: "fyi" },
    ],
    entities: [
      {
        tag: "payments",
        descriptor: "cortex.yaml",
        basepath: "",
        valid: false,
        notApplied: [],
        scorecards: [
          {
            tag: "readiness",
            name: "Readiness",
            source: ".cortex/scorecards/readiness.yaml",
            draft: false,
            ladder: [{ name: "Bronze", rank: 1 }],
            defaultBranch: { score: 1, total: 2, percentage: 50, level: null, passed: 1, failed: 1, skipped: 0, errors: 0 },
            commit: { score: 0, total: 2, percentage: 0, level: null, passed: 0, failed: 2, skipped: 0, errors: 0 },
            rules,
          },
        ],
      },
    ],
    publish: [],
    pipelineUrl: "https://bitbucket.org/acme/payments/pipelines/results/42",
  };
}
