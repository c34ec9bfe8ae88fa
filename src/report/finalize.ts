import { sortDiagnostics, type Diagnostic } from "../diagnostics.js";
import type { PublishResult, Report } from "./model.js";

/**
 * Folds the publish results into the report and settles the exit status (SPEC §3): the gate's
 * 1 wins over a publish failure's 3; a publish failure after a passing gate is 3.
 */
export function finalize(report: Report, publish: readonly PublishResult[], diagnostics: readonly Diagnostic[]): Report {
  const publishFailed = publish.some((p) => p.status === "failed");
  const exitCode = report.exitCode === 1 || report.exitCode === 3 ? report.exitCode : publishFailed ? 3 : 0;
  return { ...report, publish, diagnostics: sortDiagnostics([...report.diagnostics, ...diagnostics]), exitCode };
}
