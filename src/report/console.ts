import { formatDiagnostic } from "../diagnostics.js";
import type { Report, ScoreSummary } from "./model.js";
import { terminalSafe as t } from "./sanitize.js";

const MARK: Record<string, string> = { pass: "✔", fail: "✖", skip: "-", error: "!" };

function score(x: ScoreSummary): string {
  return `${x.score}/${x.total} ${x.percentage}% ${x.level ?? "no level"}`;
}

function verdict(report: Report): string {
  const failedPublish = report.publish.filter((p) => p.status === "failed").map((p) => p.target);
  if (report.exitCode === 3 && report.result === "PASSED") {
    return failedPublish.length ? `PASSED, but publishing to ${failedPublish.join(" and ")} failed` : "PASSED, but the result is incomplete";
  }
  return report.result;
}

/**
 * The one-screen summary printed at the end of a run. Everything that came from the repository
 * or a server goes through `terminalSafe`, so it cannot forge lines or drive the terminal.
 */
export function renderConsole(report: Report, options: { frames: boolean } = { frames: true }): string {
  const lines: string[] = [];
  for (const d of report.diagnostics) {
    lines.push(t(formatDiagnostic(d)));
    if (options.frames && d.frame && d.severity !== "info") lines.push(t(d.frame, true).replace(/^/gm, "    "));
    if (d.hint && d.severity !== "info") lines.push(`    fix: ${t(d.hint, true).replace(/\n/g, "\n         ")}`);
  }
  if (report.diagnostics.length) lines.push("");
  const def = report.defaultBranch.name;
  for (const e of report.entities) {
    lines.push(`entity ${t(e.tag ?? "(no tag)")} (${t(e.descriptor)})${e.valid ? "" : " — descriptor invalid"}`);
    for (const n of e.notApplied) lines.push(`  scorecard ${t(n.tag)}: does not apply (${t(n.reason)})`);
    for (const c of e.scorecards) {
      lines.push(`  ${t(c.name)}${c.draft ? " [draft]" : ""}: ${def} ${score(c.defaultBranch)} → this commit ${score(c.commit)}`);
      for (const r of c.rules) {
        const change = r.change === "none" ? "" : ` [${r.change}]`;
        const note = r.commit.message ? ` — ${t(r.commit.message)}` : "";
        lines.push(`    ${MARK[r.defaultBranch.outcome]} ${MARK[r.commit.outcome]} ${t(r.title)}${r.enforced ? "" : " (not yet enforced)"}${change}${note}`);
      }
    }
  }
  if (report.entities.some((e) => e.scorecards.length)) lines.push(`  (first mark: ${def}, second: this commit — ✔ pass ✖ fail - skip ! error)`);
  lines.push("");
  for (const r of report.gate.reasons.slice(0, 10)) lines.push(`gate: ${t(r)}`);
  if (report.gate.reasons.length > 10) lines.push(`gate: … and ${report.gate.reasons.length - 10} more (see report.json)`);
  for (const p of report.publish.filter((x) => x.status === "failed")) lines.push(`publish: ${p.target} failed — ${t(p.detail)}`);
  lines.push(`result: ${verdict(report)} (exit ${report.exitCode})`);
  return lines.join("\n");
}
