import type { Diagnostic } from "../diagnostics.js";
import type { Report, RuleEvaluation, ScoreSummary } from "./model.js";
import { markdownCell } from "./sanitize.js";

const ICON: Record<string, string> = { pass: "✅ pass", fail: "❌ fail", skip: "⏭️ skip", error: "💥 error" };

function score(s: ScoreSummary): string {
  return `${s.score}/${s.total} (${s.percentage}%)${s.level ? ` · ${s.level}` : ""}`;
}

const cell = markdownCell;

function outcome(e: RuleEvaluation): string {
  return `${ICON[e.outcome] ?? e.outcome}${e.message ? `: ${cell(e.message)}` : ""}`;
}

function where(d: Diagnostic): string {
  return d.file ? `\`${d.file}${d.line ? `:${d.line}` : ""}${d.column ? `:${d.column}` : ""}\`` : "";
}

/** `summary.md`: the report for humans — default branch vs this commit, and what to do next. */
export function renderSummary(report: Report): string {
  const out: string[] = [];
  const verdict = report.result === "PASSED" ? "✅ PASSED" : "❌ FAILED";
  out.push(`# Catalog scorecard: ${verdict}`, "");
  out.push(
    `Repository \`${report.repository ?? "unknown"}\` · commit \`${report.commit.slice(0, 12)}\`${report.branch ? ` on \`${report.branch}\`` : ""} · default branch \`${report.defaultBranch.name}\` at \`${report.defaultBranch.commit.slice(0, 12)}\``,
    "",
  );
  if (report.gate.reasons.length) {
    out.push("## Why the gate failed", "", ...report.gate.reasons.map((r) => `- ${cell(r)}`), "");
  }
  if (report.diagnostics.length) {
    out.push("## Descriptor and scorecard checks", "", "| Severity | Code | Where | Problem | Fix |", "|---|---|---|---|---|");
    for (const d of report.diagnostics) out.push(`| ${d.severity} | ${d.code} | ${where(d)} | ${cell(d.message)} | ${cell(d.hint ?? "")} |`);
    out.push("");
  }
  for (const e of report.entities) {
    out.push(`## Entity \`${e.tag ?? "(no tag)"}\` — \`${e.descriptor}\`${e.basepath ? ` (basepath \`${e.basepath}\`)` : ""}`, "");
    if (!e.scorecards.length) out.push("_No scorecard applies to this entity._", "");
    for (const n of e.notApplied) out.push(`- Scorecard \`${n.tag}\` does not apply: ${cell(n.reason)}`);
    if (e.notApplied.length) out.push("");
    for (const c of e.scorecards) {
      out.push(`### ${c.name}${c.draft ? " (draft, not enforced)" : ""}`, "");
      out.push(`| | ${report.defaultBranch.name} (what the catalog reads) | this commit |`, "|---|---|---|");
      out.push(`| Score | ${score(c.defaultBranch)} | ${score(c.commit)} |`, "");
      out.push(`| Rule | Level | ${report.defaultBranch.name} | This commit | Change |`, "|---|---|---|---|---|");
      for (const r of c.rules) {
        const title = `${cell(r.title)}${r.enforced ? "" : ` (from ${r.effectiveFrom}, not yet enforced)`}`;
        out.push(`| ${title} | ${r.level ?? ""} | ${outcome(r.defaultBranch)} | ${outcome(r.commit)} | ${r.change === "none" ? "" : r.change} |`);
      }
      out.push("");
    }
  }
  const next: string[] = [];
  if (report.diagnostics.some((d) => d.severity === "error")) next.push("Fix the descriptor and scorecard errors above; each row names its place and its fix.");
  if (report.entities.some((e) => e.scorecards.some((c) => c.rules.some((r) => r.change === "regression")))) {
    next.push("Rules marked `regression` pass on the default branch today; this change would make them fail in the catalog.");
  }
  if (report.entities.some((e) => e.scorecards.some((c) => c.rules.some((r) => r.commit.outcome === "skip")))) {
    next.push("Skipped rules need data only the catalog has; the catalog still scores them.");
  }
  if (next.length) out.push("## What to do next", "", ...next.map((n) => `- ${n}`), "");
  return out.join("\n");
}
