import type { Diagnostic } from "../diagnostics.js";

/** The one report model every output renders from. Its JSON form is `report.json` (schemaVersion 1). */
export type Outcome = "pass" | "fail" | "skip" | "error";
export type Change = "none" | "regression" | "fixed";
export type Result = "PASSED" | "FAILED";

export interface RuleEvaluation {
  readonly outcome: Outcome;
  readonly message?: string;
}

export interface RuleResult {
  readonly identifier: string;
  readonly title: string;
  readonly expression: string;
  readonly level?: string;
  readonly weight: number;
  /** false while `effectiveFrom` is in the future: shown, not counted. */
  readonly enforced: boolean;
  readonly effectiveFrom?: string;
  readonly line: number;
  readonly defaultBranch: RuleEvaluation;
  readonly commit: RuleEvaluation;
  readonly change: Change;
}

export interface ScoreSummary {
  readonly score: number;
  readonly total: number;
  readonly percentage: number;
  readonly level: string | null;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly errors: number;
}

export interface ScorecardResult {
  readonly tag: string;
  readonly name: string;
  readonly source: string;
  readonly draft: boolean;
  /** The ladder, lowest rank first, so readers can order levels. */
  readonly ladder?: readonly { readonly name: string; readonly rank: number }[];
  readonly defaultBranch: ScoreSummary;
  readonly commit: ScoreSummary;
  readonly rules: readonly RuleResult[];
}

export interface NotApplied {
  readonly tag: string;
  readonly reason: string;
}

export interface EntityResult {
  readonly tag: string | null;
  readonly descriptor: string;
  readonly basepath: string;
  readonly valid: boolean;
  readonly scorecards: readonly ScorecardResult[];
  readonly notApplied: readonly NotApplied[];
}

export interface PublishResult {
  readonly target: "code-insights" | "catalog";
  readonly status: "posted" | "skipped" | "failed" | "dry-run";
  readonly detail: string;
}

export interface Report {
  readonly schemaVersion: 1;
  readonly tool: { readonly name: string; readonly version: string };
  readonly repository: string | null;
  readonly commit: string;
  /** The tree evaluated as "this commit" when it differs from `commit` (a PR build's merge). */
  readonly evaluatedCommit?: string;
  readonly branch: string | null;
  readonly pullRequest?: { readonly id: string; readonly destination: string | null };
  readonly defaultBranch: { readonly name: string; readonly commit: string };
  readonly result: Result;
  readonly exitCode: 0 | 1 | 3;
  readonly gate: { readonly failOn: string; readonly reasons: readonly string[] };
  readonly diagnostics: readonly Diagnostic[];
  readonly entities: readonly EntityResult[];
  readonly publish: readonly PublishResult[];
  readonly pipelineUrl?: string;
}
