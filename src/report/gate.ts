import type { FailOn } from "../config/index.js";
import type { Diagnostic } from "../diagnostics.js";
import type { EntityResult, Result } from "./model.js";

export interface GateInput {
  readonly failOn: FailOn;
  readonly requiredLevel: string | undefined;
  readonly minScore: number | undefined;
  readonly diagnostics: readonly Diagnostic[];
  readonly entities: readonly EntityResult[];
}

export interface GateDecision {
  readonly result: Result;
  readonly reasons: string[];
}

const PUBLISH_CODES = new Set(["PUBLISH_FAILED", "CATALOG_UNREACHABLE"]);

/**
 * The one place that turns outcomes into pass/fail (SPEC §2, §4):
 *  - an error diagnostic (invalid descriptor or scorecard) always fails;
 *  - FAIL_ON=failure: an enforced rule that fails or errors in this commit fails;
 *  - FAIL_ON=regression: only enforced rules that pass on the default branch and fail (or
 *    error) in this commit, plus broken rules (an `error` must never pass silently);
 *  - FAIL_ON=never: rule outcomes never fail the build;
 *  - REQUIRED_LEVEL / MIN_SCORE: every applicable, non-draft scorecard must reach them;
 *  - draft scorecards and rules not yet in force are reported, never enforced.
 */
export function decideGate(input: GateInput): GateDecision {
  const reasons: string[] = [];
  const errors = input.diagnostics.filter((d) => d.severity === "error" && !PUBLISH_CODES.has(d.code));
  if (errors.length) reasons.push(`${errors.length} error${errors.length === 1 ? "" : "s"} in descriptors or scorecards (${[...new Set(errors.map((e) => e.code))].join(", ")})`);
  for (const entity of input.entities) {
    for (const card of entity.scorecards) {
      if (card.draft) continue;
      const name = `${entity.tag ?? entity.descriptor} / ${card.name}`;
      if (input.failOn !== "never") {
        for (const rule of card.rules) {
          if (!rule.enforced) continue;
          const o = rule.commit.outcome;
          if (o === "error") reasons.push(`${name}: rule "${rule.title}" is broken: ${rule.commit.message ?? "error"}`);
          else if (o === "fail" && (input.failOn === "failure" || rule.change === "regression")) {
            reasons.push(`${name}: rule "${rule.title}" ${rule.change === "regression" ? "regressed" : "fails"}`);
          }
        }
      }
      if (input.minScore !== undefined && card.commit.total > 0 && card.commit.percentage < input.minScore) {
        reasons.push(`${name}: score ${card.commit.percentage}% is below MIN_SCORE ${input.minScore}%`);
      }
    }
  }
  if (input.requiredLevel !== undefined) reasons.push(...levelReasons(input.requiredLevel, input.entities));
  return { result: reasons.length ? "FAILED" : "PASSED", reasons };
}

function levelReasons(required: string, entities: readonly EntityResult[]): string[] {
  const out: string[] = [];
  let anyLadder = false;
  for (const entity of entities) {
    for (const card of entity.scorecards) {
      if (card.draft) continue;
      const ladder = card.ladder ?? [];
      const want = ladder.find((l) => l.name.toLowerCase() === required.toLowerCase());
      if (!want) continue;
      anyLadder = true;
      const got = ladder.find((l) => l.name === card.commit.level);
      if (!got || got.rank < want.rank) {
        out.push(`${entity.tag ?? entity.descriptor} / ${card.name}: level ${card.commit.level ?? "none"} is below REQUIRED_LEVEL ${want.name}`);
      }
    }
  }
  if (!anyLadder && entities.some((e) => e.scorecards.length)) out.push(`REQUIRED_LEVEL "${required}" is not a level of any applicable scorecard's ladder`);
  return out;
}
