import { createHash } from "node:crypto";
import type { Report } from "../report/model.js";

/**
 * What a Code Insights report shows, independent of the platform: findings (descriptor problems
 * at their file and line, failing rules at their scorecard line) most important first, and the
 * key figures. The Cloud and Data Center renderers only reshape these.
 */
export type FindingSeverity = "CRITICAL" | "HIGH" | "MEDIUM" | "LOW";

export interface Finding {
  /** Stable across runs of the same commit, so a re-run replaces rather than duplicates. */
  readonly id: string;
  readonly severity: FindingSeverity;
  readonly type: "BUG" | "CODE_SMELL";
  readonly path?: string;
  readonly line?: number;
  readonly summary: string;
  readonly details: string;
}

export type Figure =
  | { readonly title: string; readonly type: "BOOLEAN"; readonly value: boolean }
  | { readonly title: string; readonly type: "NUMBER" | "PERCENTAGE"; readonly value: number }
  | { readonly title: string; readonly type: "TEXT"; readonly value: string }
  | { readonly title: string; readonly type: "LINK"; readonly value: { readonly text: string; readonly href: string } };

const RANK: Record<FindingSeverity, number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3 };

function stableId(...parts: (string | number | undefined)[]): string {
  return createHash("sha256").update(parts.map((p) => String(p ?? "")).join("\u0000")).digest("hex").slice(0, 24);
}

/** Repository-relative paths only: `catalog:<tag>` sources have no file in the repository. */
function repoPath(source: string): string | undefined {
  return source.startsWith("catalog:") ? undefined : source;
}

export function collectFindings(report: Report): Finding[] {
  const out: Finding[] = [];
  for (const d of report.diagnostics) {
    if (d.severity === "info" || d.code === "PUBLISH_FAILED") continue;
    out.push({
      id: `d-${stableId(d.code, d.file, d.line, d.column, d.message)}`,
      severity: d.severity === "error" ? "HIGH" : "MEDIUM",
      type: "BUG",
      ...(d.file ? { path: d.file } : {}),
      ...(d.file && d.line ? { line: d.line } : {}),
      summary: `${d.code}: ${d.message}`,
      details: `${d.message}${d.hint ? `\nFix: ${d.hint}` : ""}`,
    });
  }
  for (const e of report.entities) {
    for (const c of e.scorecards) {
      for (const r of c.rules) {
        const o = r.commit.outcome;
        if (o !== "fail" && o !== "error") continue;
        const enforced = r.enforced && !c.draft;
        const severity: FindingSeverity = !enforced ? "LOW" : r.change === "regression" ? "CRITICAL" : o === "error" ? "HIGH" : "MEDIUM";
        const path = repoPath(c.source);
        const prefix = r.change === "regression" ? "Regression: " : o === "error" ? "Broken rule: " : "";
        out.push({
          id: `r-${stableId(e.tag ?? e.descriptor, c.tag, r.identifier)}`,
          severity,
          type: o === "error" ? "BUG" : "CODE_SMELL",
          ...(path ? { path, line: r.line } : {}),
          summary: `${prefix}${c.name} › ${r.title}${e.tag && report.entities.length > 1 ? ` (${e.tag})` : ""}: ${r.commit.message ?? o}`,
          details: [
            `Rule ${r.identifier}${r.level ? ` (${r.level})` : ""}: ${r.expression}`,
            `This commit: ${o}${r.commit.message ? ` — ${r.commit.message}` : ""}`,
            `${report.defaultBranch.name}: ${r.defaultBranch.outcome}${r.defaultBranch.message ? ` — ${r.defaultBranch.message}` : ""}`,
            ...(enforced ? [] : ["Not enforced (draft scorecard or effectiveFrom in the future)."]),
          ].join("\n"),
        });
      }
    }
  }
  return out.sort((a, b) => RANK[a.severity] - RANK[b.severity]);
}

export function keyFigures(report: Report): Figure[] {
  const cards = report.entities.flatMap((e) => e.scorecards);
  const sum = (f: (c: (typeof cards)[number]) => number) => cards.reduce((s, c) => s + f(c), 0);
  const pct = (score: number, total: number) => (total === 0 ? 100 : Math.round((score / total) * 1000) / 10);
  const rules = cards.flatMap((c) => c.rules);
  const figures: Figure[] = [
    { title: "Descriptor valid", type: "BOOLEAN", value: report.entities.length > 0 && report.entities.every((e) => e.valid) },
    { title: "Score", type: "PERCENTAGE", value: pct(sum((c) => c.commit.score), sum((c) => c.commit.total)) },
    { title: `Score on ${report.defaultBranch.name}`, type: "PERCENTAGE", value: pct(sum((c) => c.defaultBranch.score), sum((c) => c.defaultBranch.total)) },
    { title: "Level", type: "TEXT", value: cards.length === 1 ? (cards[0]?.commit.level ?? "none") : cards.map((c) => `${c.name}: ${c.commit.level ?? "none"}`).join(", ").slice(0, 100) || "no scorecard" },
    { title: "Rules passed", type: "TEXT", value: `${rules.filter((r) => r.commit.outcome === "pass").length}/${rules.length}` },
    { title: "Regressions", type: "NUMBER", value: rules.filter((r) => r.change === "regression").length },
    { title: "Fixed", type: "NUMBER", value: rules.filter((r) => r.change === "fixed").length },
    { title: "Skipped (catalog data)", type: "NUMBER", value: rules.filter((r) => r.commit.outcome === "skip").length },
    { title: "Descriptor problems", type: "NUMBER", value: report.diagnostics.filter((d) => d.severity === "error").length },
  ];
  if (report.pipelineUrl) figures.push({ title: "Pipeline", type: "LINK", value: { text: `#${report.pipelineUrl.split("/").pop()}`, href: report.pipelineUrl } });
  return figures;
}

/** Cuts text to a limit on a character boundary, marking the cut. */
export function clip(text: string, limit: number): string {
  const t = text.trim() || "(no message)";
  return t.length <= limit ? t : `${t.slice(0, limit - 1)}…`;
}
