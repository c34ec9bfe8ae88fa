import type { Report } from "../report/model.js";
import { clip, collectFindings, keyFigures, type Finding } from "./findings.js";

/** Platform limits (FACTS.md): what the renderers must never exceed. */
export const CLOUD_LIMITS = { annotations: 1000, batch: 100, summary: 450, data: 10, details: 2000 } as const;
export const DC_LIMITS = { annotations: 1000, batch: 100, message: 2000, data: 6, title: 450, details: 2000 } as const;

export interface RenderedInsights<R, A> {
  readonly report: R;
  readonly annotations: readonly A[];
  /** Findings that did not fit under the annotation limit: counted, not dropped silently. */
  readonly notShown: number;
  readonly total: number;
}

function details(report: Report, shown: number, total: number, limit: number): string {
  const lines = [
    report.result === "PASSED" ? "The catalog scorecard gate passed." : `The catalog scorecard gate failed: ${report.gate.reasons.slice(0, 3).join("; ")}${report.gate.reasons.length > 3 ? `; and ${report.gate.reasons.length - 3} more` : ""}.`,
    `Default branch ${report.defaultBranch.name} (what the catalog reads) vs this commit.`,
  ];
  if (total > shown) lines.push(`${total - shown} more findings not shown — see the pipeline's report.json.`);
  return clip(lines.join(" "), limit);
}

export interface CloudReport {
  readonly title: string;
  readonly details: string;
  readonly external_id: string;
  readonly reporter: string;
  readonly report_type: "BUG";
  readonly result: "PASSED" | "FAILED";
  readonly link?: string;
  readonly data: readonly { readonly title: string; readonly type: string; readonly value: unknown }[];
}

export interface CloudAnnotation {
  readonly external_id: string;
  readonly annotation_type: "BUG" | "CODE_SMELL";
  readonly summary: string;
  readonly details: string;
  readonly result: "FAILED";
  readonly severity: "CRITICAL" | "HIGH" | "MEDIUM" | "LOW";
  readonly path?: string;
  readonly line?: number;
  readonly link?: string;
}

export function renderCloud(report: Report, reportId: string): RenderedInsights<CloudReport, CloudAnnotation> {
  const findings = collectFindings(report);
  const shown = findings.slice(0, CLOUD_LIMITS.annotations);
  const notShown = findings.length - shown.length;
  const data = keyFigures(report)
    .slice(0, CLOUD_LIMITS.data)
    .map((f) => ({ title: f.title, type: f.type, value: f.type === "LINK" ? { text: f.value.text, href: f.value.href } : f.value }));
  return {
    report: {
      title: "Catalog scorecard",
      details: details(report, shown.length, findings.length, CLOUD_LIMITS.details),
      external_id: reportId,
      reporter: "catalog-scorecard-pipe",
      report_type: "BUG",
      result: report.result,
      ...(report.pipelineUrl ? { link: report.pipelineUrl } : {}),
      data,
    },
    annotations: shown.map((f) => cloudAnnotation(f, report)),
    notShown,
    total: findings.length,
  };
}

function cloudAnnotation(f: Finding, report: Report): CloudAnnotation {
  return {
    external_id: f.id,
    annotation_type: f.type,
    summary: clip(f.summary, CLOUD_LIMITS.summary),
    details: clip(f.details, CLOUD_LIMITS.details),
    result: "FAILED",
    severity: f.severity,
    ...(f.path ? { path: f.path } : {}),
    ...(f.path && f.line ? { line: Math.max(1, f.line) } : {}),
    ...(report.pipelineUrl ? { link: report.pipelineUrl } : {}),
  };
}

export interface DcReport {
  readonly title: string;
  readonly details: string;
  readonly reporter: string;
  readonly result: "PASS" | "FAIL";
  readonly link?: string;
  readonly data: readonly { readonly title: string; readonly type: string; readonly value: unknown }[];
}

export interface DcAnnotation {
  readonly externalId: string;
  readonly message: string;
  readonly severity: "LOW" | "MEDIUM" | "HIGH";
  readonly type: "BUG" | "CODE_SMELL";
  readonly path?: string;
  readonly line?: number;
  readonly link?: string;
}

export function renderDataCenter(report: Report): RenderedInsights<DcReport, DcAnnotation> {
  const findings = collectFindings(report);
  const shown = findings.slice(0, DC_LIMITS.annotations);
  // Data Center requires at least one data field and allows six: keep the most telling ones.
  const data = keyFigures(report)
    .slice(0, DC_LIMITS.data)
    .map((f) => ({ title: f.title, type: f.type, value: f.type === "LINK" ? { linktext: f.value.text, href: f.value.href } : f.value }));
  return {
    report: {
      title: "Catalog scorecard",
      details: details(report, shown.length, findings.length, DC_LIMITS.details),
      reporter: "catalog-scorecard-pipe",
      result: report.result === "PASSED" ? "PASS" : "FAIL",
      ...(report.pipelineUrl ? { link: report.pipelineUrl } : {}),
      data,
    },
    annotations: shown.map((f) => ({
      externalId: f.id,
      message: clip(`${f.summary}\n${f.details}`, DC_LIMITS.message),
      // Data Center has no CRITICAL.
      severity: f.severity === "CRITICAL" ? "HIGH" : f.severity,
      type: f.type,
      ...(f.path ? { path: f.path } : {}),
      ...(f.path && f.line ? { line: Math.max(1, f.line) } : {}),
      ...(report.pipelineUrl ? { link: report.pipelineUrl } : {}),
    })),
    notShown: findings.length - shown.length,
    total: findings.length,
  };
}

export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
