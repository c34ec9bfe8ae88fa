/**
 * Diagnostics are data, not exceptions: every stage returns the problems it found so the report
 * can list all of them at once, each with its place and its fix.
 */
export type Severity = "error" | "warning" | "info";

/**
 * Codes are part of the contract (users filter on them): add freely, never rename.
 */
export const DIAGNOSTIC_CODES = [
  "CONFIG",
  "DESCRIPTOR_NOT_FOUND",
  "DESCRIPTOR_AMBIGUOUS",
  "NOT_A_DESCRIPTOR",
  "ENCODING",
  "YAML_SYNTAX",
  "YAML_DUPLICATE_KEY",
  "YAML_LIMIT",
  "YAML_MULTIPLE_DOCUMENTS",
  "SCHEMA",
  "UNKNOWN_KEY",
  "DEPRECATED_KEY",
  "TAG_INVALID",
  "DUPLICATE_TAG",
  "PROVIDER_MISMATCH",
  "REPOSITORY_MISMATCH",
  "REPOSITORY_UNCONFIRMED",
  "ALIAS_UNKNOWN",
  "ALIAS_UNCONFIRMED",
  "BASEPATH_INVALID",
  "BASEPATH_MISSING",
  "BASEPATH_SPELLING",
  "BASEPATH_OVERLAP",
  "DESCRIPTOR_OUTSIDE_BASEPATH",
  "DESCRIPTOR_CHANGED",
  "SCORECARD_NOT_FOUND",
  "SCORECARD_SCHEMA",
  "SCORECARD_LEVEL",
  "DUPLICATE_RULE",
  "CQL_SYNTAX",
  "CATALOG_DRIFT",
  "CATALOG_VALIDATION",
  "CATALOG_UNREACHABLE",
  "DEFAULT_BRANCH_UNRESOLVED",
  "COMMIT_MISMATCH",
  "GIT",
  "PUBLISH_FAILED",
  "PUBLISH_SKIPPED",
] as const;

export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

export interface Place {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
}

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  readonly hint?: string;
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** A few lines of the source around the place, rendered for the console and summary. */
  readonly frame?: string;
}

export function diagnostic(
  code: DiagnosticCode,
  severity: Severity,
  message: string,
  extra: { readonly hint?: string | undefined; readonly place?: Place | undefined; readonly frame?: string | undefined } = {},
): Diagnostic {
  const { place } = extra;
  return {
    code,
    severity,
    message,
    ...(extra.hint ? { hint: extra.hint } : {}),
    ...(place ? { file: place.file } : {}),
    ...(place?.line !== undefined ? { line: place.line } : {}),
    ...(place?.column !== undefined ? { column: place.column } : {}),
    ...(extra.frame ? { frame: extra.frame } : {}),
  };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** `cortex.yaml:12:5 error SCHEMA …` — the compiler-style line every output shares. */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.file ? `${d.file}${d.line ? `:${d.line}${d.column ? `:${d.column}` : ""}` : ""} ` : "";
  return `${where}${d.severity} ${d.code} ${d.message}`;
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Stable order: severity, then file, then position, so reports diff cleanly between runs. */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      (a.file ?? "").localeCompare(b.file ?? "") ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}
