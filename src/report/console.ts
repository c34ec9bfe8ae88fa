import { formatDiagnostic } from "../diagnostics.js";
import type { Report } from "./model.js";

const MARK: Record<string, string> = { pass: "✔", fail: "✖", skip: "-", error: "!" };

/** The one-screen summary printed at the end of a run. */
export function renderConsole(report: Report, options: { frames: boolean } = { frames: true }): string {
  const lines: string[] = [];
  for (const d of report.diagnostics) {
    lines.push(formatDiagnostic(d));
    if (options.frames && d.frame && d.severity !== "info") lines.push(d.frame.replace(/^/gm, "    "));
    if (d.hint && d.severity !== "info") lines.push(`    fix: ${d.hint.replace(/\n/g, "\n         ")}`);
  }
  if (report.diagnostics.length) lines.push("");
  const def = report.defaultBranch.name;
  for (const e of report.entities) {
    lines.push(`entity ${e.tag ?? "(no tag)"} (${e.descriptor})${e.valid ? "" : " — descriptor invalid"}`);
    for (const n of e.notApplied) lines.push(`  scorecard ${n.tag}: does not apply (${n.reason})`);
    for (const c of e.scorecards) {
      const s = (x: typeof c.commit) => `${x.score}/${x.total} ${x.percentage}%${x.level ? ` ${x.level}` : ""}`;
      lines.push(`  ${c.name}${c.draft ? " [draft]" : ""}: ${def} ${s(c.defaultBranch)} → this commit ${s(c.commit)}`);
      for (const r of c.rules) {
        const change = r.change === "none" ? "" : ` [${r.change}]`;
        const note = r.commit.message ? ` — ${r.commit.message}` : "";
        lines.push(`    ${MARK[r.defaultBranch.outcome]} ${MARK[r.commit.outcome]} ${r.title}${r.enforced ? "" : " (not yet enforced)"}${change}${note}`);
      }
    }
  }
  if (report.entities.some((e) => e.scorecards.length)) lines.push(`  (first mark: ${def}, second: this commit — ✔ pass ✖ fail - skip ! error)`);
  lines.push("");
  for (const r of report.gate.reasons.slice(0, 10)) lines.push(`gate: ${r}`);
  if (report.gate.reasons.length > 10) lines.push(`gate: … and ${report.gate.reasons.length - 10} more (see report.json)`);
  lines.push(`result: ${report.result} (exit ${report.exitCode})`);
  return lines.join("\n");
}
