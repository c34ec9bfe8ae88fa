import type { Outcome, ScoreSummary } from "../report/model.js";
import type { Level } from "./model.js";

export interface Scored {
  readonly outcome: Outcome;
  readonly weight: number;
  readonly level: string | undefined;
  readonly enforced: boolean;
}

/**
 * SPEC §4: score = weights of passing rules; total = weights of decided rules (pass, fail,
 * error); skipped and not-yet-enforced rules count in neither. A level is reached when every
 * decided rule of that level and of all lower levels passes (rank 1 is the lowest); levels are
 * judged over decided rules, like the score.
 */
export function scoreOf(rules: readonly Scored[], levels: readonly Level[]): ScoreSummary {
  const counted = rules.filter((r) => r.enforced);
  const decided = counted.filter((r) => r.outcome !== "skip");
  const score = decided.filter((r) => r.outcome === "pass").reduce((s, r) => s + r.weight, 0);
  const total = decided.reduce((s, r) => s + r.weight, 0);
  let level: string | null = null;
  for (const l of [...levels].sort((a, b) => a.rank - b.rank)) {
    const atOrBelow = new Set(levels.filter((x) => x.rank <= l.rank).map((x) => x.name));
    const blocking = decided.some((r) => r.level !== undefined && atOrBelow.has(r.level) && r.outcome !== "pass");
    if (blocking) break;
    level = l.name;
  }
  return {
    score,
    total,
    percentage: total === 0 ? 100 : Math.round((score / total) * 1000) / 10,
    level,
    passed: counted.filter((r) => r.outcome === "pass").length,
    failed: counted.filter((r) => r.outcome === "fail").length,
    skipped: counted.filter((r) => r.outcome === "skip").length,
    errors: counted.filter((r) => r.outcome === "error").length,
  };
}
