import { describe, expect, it } from "vitest";
import { diagnostic } from "../src/diagnostics.js";
import { decideGate, type GateInput } from "../src/report/gate.js";
import type { Change, EntityResult, Outcome, RuleResult, ScorecardResult, ScoreSummary } from "../src/report/model.js";

/** The gate is the one place that turns outcomes into pass/fail (SPEC §2, §4). */
const summary = (o: Partial<ScoreSummary> = {}): ScoreSummary => ({ score: 1, total: 1, percentage: 100, level: "Silver", passed: 1, failed: 0, skipped: 0, errors: 0, ...o });

function ruleResult(id: string, onDefault: Outcome, onCommit: Outcome, o: { enforced?: boolean; change?: Change } = {}): RuleResult {
  const change: Change = o.change ?? (onDefault === "pass" && (onCommit === "fail" || onCommit === "error") ? "regression" : onCommit === "pass" && onDefault !== "pass" && onDefault !== "skip" ? "fixed" : "none");
  return {
    identifier: id,
    title: id,
    expression: "x",
    weight: 1,
    enforced: o.enforced ?? true,
    line: 1,
    defaultBranch: { outcome: onDefault },
    commit: { outcome: onCommit, ...(onCommit === "error" ? { message: "unknown name \"typo\"" } : {}) },
    change,
  };
}

function cardResult(rules: RuleResult[], o: Partial<ScorecardResult> = {}): ScorecardResult {
  return {
    tag: "ready",
    name: "Readiness",
    source: ".cortex/scorecards/ready.yaml",
    draft: false,
    ladder: [
      { name: "Bronze", rank: 1 },
      { name: "Silver", rank: 2 },
      { name: "Gold", rank: 3 },
    ],
    defaultBranch: summary(),
    commit: summary(),
    rules,
    ...o,
  };
}

const entityWith = (...cards: ScorecardResult[]): EntityResult => ({ tag: "payments", descriptor: "cortex.yaml", basepath: "", valid: true, scorecards: cards, notApplied: [] });
const gate = (entities: EntityResult[], o: Partial<GateInput> = {}) =>
  decideGate({ failOn: "failure", requiredLevel: undefined, minScore: undefined, diagnostics: [], entities, ...o });

describe("FAIL_ON", () => {
  const mixed = entityWith(cardResult([ruleResult("old-failure", "fail", "fail"), ruleResult("regressed", "pass", "fail"), ruleResult("ok", "pass", "pass")]));

  it("failure: any enforced failing rule in this commit fails", () => {
    const g = gate([mixed]);
    expect(g.result).toBe("FAILED");
    expect(g.reasons).toEqual(['payments / Readiness: rule "old-failure" fails', 'payments / Readiness: rule "regressed" regressed']);
  });

  it("regression: only rules that pass on the default branch and fail in this commit", () => {
    expect(gate([mixed], { failOn: "regression" }).reasons).toEqual(['payments / Readiness: rule "regressed" regressed']);
    const noRegression = entityWith(cardResult([ruleResult("old-failure", "fail", "fail")]));
    expect(gate([noRegression], { failOn: "regression" }).result).toBe("PASSED");
  });

  it("never: rule outcomes do not fail the build", () => {
    expect(gate([mixed], { failOn: "never" }).result).toBe("PASSED");
  });

  it("an error outcome fails under failure and regression alike: a broken rule never passes silently", () => {
    const broken = entityWith(cardResult([ruleResult("broken", "error", "error")]));
    expect(gate([broken]).reasons).toEqual(['payments / Readiness: rule "broken" is broken: unknown name "typo"']);
    expect(gate([broken], { failOn: "regression" }).result).toBe("FAILED");
  });

  it("skipped rules never fail", () => {
    expect(gate([entityWith(cardResult([ruleResult("s", "skip", "skip")]))]).result).toBe("PASSED");
  });

  it("rules not yet in force and draft scorecards are reported, not enforced", () => {
    expect(gate([entityWith(cardResult([ruleResult("later", "pass", "fail", { enforced: false })]))]).result).toBe("PASSED");
    expect(gate([entityWith(cardResult([ruleResult("x", "pass", "error")], { draft: true }))]).result).toBe("PASSED");
  });

  it("an error diagnostic (invalid descriptor or scorecard) always fails, a publish failure does not", () => {
    const d = diagnostic("CQL_SYNTAX", "error", "bad");
    expect(gate([], { diagnostics: [d], failOn: "never" }).reasons).toEqual(["1 error in descriptors or scorecards (CQL_SYNTAX)"]);
    expect(gate([], { diagnostics: [diagnostic("PUBLISH_FAILED", "error", "down")] }).result).toBe("PASSED");
    expect(gate([], { diagnostics: [diagnostic("SCORECARD_LEVEL", "warning", "unused level")] }).result).toBe("PASSED");
  });
});

describe("REQUIRED_LEVEL", () => {
  const at = (level: string | null) => entityWith(cardResult([], { commit: summary({ level }) }));

  it("passes at or above the level, case-insensitively", () => {
    expect(gate([at("Silver")], { requiredLevel: "silver" }).result).toBe("PASSED");
    expect(gate([at("Gold")], { requiredLevel: "Silver" }).result).toBe("PASSED");
  });

  it("fails below it, and with no level at all", () => {
    expect(gate([at("Bronze")], { requiredLevel: "Silver" }).reasons).toEqual(["payments / Readiness: level Bronze is below REQUIRED_LEVEL Silver"]);
    expect(gate([at(null)], { requiredLevel: "Bronze" }).reasons).toEqual(["payments / Readiness: level none is below REQUIRED_LEVEL Bronze"]);
  });

  it("fails when no applicable scorecard has such a level", () => {
    expect(gate([at("Gold")], { requiredLevel: "Platinum" }).reasons).toEqual(['REQUIRED_LEVEL "Platinum" is not a level of any applicable scorecard\'s ladder']);
  });

  it("ignores draft scorecards", () => {
    const draft = cardResult([], { draft: true, commit: summary({ level: null }) });
    expect(gate([entityWith(draft, cardResult([]))], { requiredLevel: "Silver" }).result).toBe("PASSED");
  });
});

describe("MIN_SCORE", () => {
  const scored = (percentage: number, total = 4) => entityWith(cardResult([], { commit: summary({ percentage, total }) }));

  it("fails below the minimum percentage, passes at it", () => {
    expect(gate([scored(74.9)], { minScore: 75 }).reasons).toEqual(["payments / Readiness: score 74.9% is below MIN_SCORE 75%"]);
    expect(gate([scored(75)], { minScore: 75 }).result).toBe("PASSED");
  });

  it("does not judge a scorecard with nothing decided", () => {
    expect(gate([scored(0, 0)], { minScore: 50 }).result).toBe("PASSED");
  });

  it("applies with FAIL_ON=never, which only concerns rule outcomes", () => {
    expect(gate([scored(10)], { minScore: 50, failOn: "never" }).result).toBe("FAILED");
  });
});
