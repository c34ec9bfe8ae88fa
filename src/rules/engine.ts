import type { Change, NotApplied, RuleEvaluation, RuleResult, ScorecardResult } from "../report/model.js";
import type { FileTree } from "../sources/tree.js";
import type { EntityFacts, EvalEnv } from "./context.js";
import { checkNames } from "./check.js";
import { evaluate } from "./evaluate.js";
import type { JqRunner } from "./jq.js";
import { scoreOf } from "./level.js";
import type { EntityFilter, ParsedExpression, Rule, Scorecard } from "./model.js";
import type { RegexRunner } from "./regex.js";
import { EvalError, isUnknown, show, type Value } from "./values.js";

export interface EngineInput {
  readonly entity: EntityFacts;
  readonly basepath: string;
  /**
   * The entity as the DEFAULT branch's descriptor describes it (what the catalog sees today):
   * its facts and basepath, or why it has none there (the descriptor is not on that branch).
   * Absent: the same as this commit's.
   */
  readonly defaultEntity?: { readonly entity: EntityFacts; readonly basepath: string } | { readonly absent: string };
  readonly defaultTree: FileTree;
  readonly headTree: FileTree;
  readonly defaultBranchName: string;
  readonly catalogCustom: ReadonlyMap<string, unknown> | undefined;
  readonly regex: RegexRunner;
  readonly jq: JqRunner;
  readonly now: Date;
}

export interface EntityEvaluation {
  readonly scorecards: ScorecardResult[];
  readonly notApplied: NotApplied[];
}

export async function evaluateEntity(input: EngineInput, scorecards: readonly Scorecard[]): Promise<EntityEvaluation> {
  const results: ScorecardResult[] = [];
  const notApplied: NotApplied[] = [];
  for (const card of scorecards) {
    const applies = await filterApplies(input, card.filter);
    if (applies !== true) {
      notApplied.push({ tag: card.tag, reason: applies });
      continue;
    }
    results.push(await evaluateScorecard(input, card));
  }
  return { scorecards: results, notApplied };
}

async function evaluateScorecard(input: EngineInput, card: Scorecard): Promise<ScorecardResult> {
  const rules: RuleResult[] = [];
  for (const rule of card.rules) {
    const applies = await filterApplies(input, rule.filter);
    if (applies !== true) continue;
    const [onDefault, onHead] = await Promise.all([evaluateOnDefault(input, rule), evaluateRule(input, rule, input.headTree)]);
    const enforced = !rule.effectiveFrom || rule.effectiveFrom <= input.now;
    const change = changeOf(onDefault.outcome, onHead.outcome);
    rules.push({
      identifier: rule.identifier,
      title: rule.title,
      expression: rule.expression.text,
      ...(rule.level ? { level: rule.level } : {}),
      weight: rule.weight,
      enforced,
      ...(rule.effectiveFrom ? { effectiveFrom: rule.effectiveFrom.toISOString().slice(0, 10) } : {}),
      line: rule.line,
      defaultBranch: onDefault,
      commit: explainDelta(onDefault, onHead, input.defaultBranchName),
      change,
    });
  }
  const scored = (which: "defaultBranch" | "commit") => rules.map((r) => ({ outcome: r[which].outcome, weight: r.weight, level: r.level, enforced: r.enforced }));
  return {
    tag: card.tag,
    name: card.name,
    source: card.source,
    draft: card.draft,
    ladder: card.levels,
    defaultBranch: scoreOf(scored("defaultBranch"), card.levels),
    commit: scoreOf(scored("commit"), card.levels),
    rules,
  };
}

function changeOf(before: RuleEvaluation["outcome"], after: RuleEvaluation["outcome"]): Change {
  const bad = (o: string) => o === "fail" || o === "error";
  if (before === "pass" && bad(after)) return "regression";
  if (bad(before) && after === "pass") return "fixed";
  return "none";
}

/** Says what the branch difference means, where it matters to the reader of a pull request. */
function explainDelta(onDefault: RuleEvaluation, onHead: RuleEvaluation, branch: string): RuleEvaluation {
  if (onHead.outcome === "pass" && onDefault.outcome === "fail") {
    return { outcome: "pass", message: `passes in this commit but not on ${branch}, which is what the catalog reads: it will pass once merged` };
  }
  if (onHead.outcome === "fail" && onDefault.outcome === "pass") {
    return { outcome: "fail", message: `${onHead.message ?? "fails"} — passes on ${branch} today, so merging this would break it in the catalog` };
  }
  return onHead;
}

/** The default branch's side: its own descriptor's entity and basepath, as the catalog reads them. */
function evaluateOnDefault(input: EngineInput, rule: Rule): Promise<RuleEvaluation> {
  const side = input.defaultEntity;
  if (side && "absent" in side) return Promise.resolve({ outcome: "skip", message: side.absent });
  return evaluateRule(side ? { ...input, entity: side.entity, basepath: side.basepath } : input, rule, input.defaultTree);
}

export async function evaluateRule(input: EngineInput, rule: Rule, tree: FileTree): Promise<RuleEvaluation> {
  const r = await evaluateExpression(input, rule.expression, tree);
  if (r.kind === "error") return { outcome: "error", message: r.message };
  if (r.kind === "unknown") return { outcome: "skip", message: r.message };
  if (r.value === true) return { outcome: "pass" };
  const why = r.notes.length ? r.notes.slice(0, 3).join("; ") : `${rule.expression.text} is false ${tree.label === "this commit" ? "in this commit" : `on ${tree.label}`}`;
  return { outcome: "fail", message: rule.failureMessage ? `${rule.failureMessage} (${why})` : why };
}

type ExprResult =
  | { readonly kind: "value"; readonly value: boolean; readonly notes: string[] }
  | { readonly kind: "unknown"; readonly message: string }
  | { readonly kind: "error"; readonly message: string };

async function evaluateExpression(input: EngineInput, expr: ParsedExpression, tree: FileTree): Promise<ExprResult> {
  if (!expr.ast) return { kind: "error", message: `syntax error: ${expr.error?.message ?? "unparsable"} (column ${expr.error?.column ?? 1})` };
  const badName = checkNames(expr.ast);
  if (badName) return { kind: "error", message: badName };
  const env: EvalEnv = {
    tree,
    basepath: input.basepath,
    defaultBranchName: input.defaultBranchName,
    entity: input.entity,
    catalogCustom: input.catalogCustom,
    regex: input.regex,
    jq: input.jq,
    notes: [],
  };
  let value: Value;
  try {
    value = await evaluate(expr.ast, env);
  } catch (e) {
    if (e instanceof EvalError) return { kind: "error", message: e.message };
    if (e instanceof RangeError) return { kind: "error", message: "the expression is too deeply nested to evaluate" };
    throw e;
  }
  if (isUnknown(value)) return { kind: "unknown", message: `not decidable here: ${value.reason}` };
  if (value === null) return { kind: "value", value: false, notes: env.notes.length ? env.notes : ["the expression is null"] };
  if (typeof value !== "boolean") return { kind: "error", message: `the expression must be true or false, but it is ${show(value)}` };
  return { kind: "value", value, notes: env.notes };
}

/** true, or the reason the filter excludes the entity. */
async function filterApplies(input: EngineInput, filter: EntityFilter | undefined): Promise<true | string> {
  if (!filter) return true;
  const { type, groups } = input.entity;
  const lc = (xs: readonly string[]) => xs.map((x) => x.toLowerCase());
  if (filter.typesInclude && !lc(filter.typesInclude).includes(type.toLowerCase())) return `applies to types ${filter.typesInclude.join(", ")}; this entity is a ${type}`;
  if (filter.typesExclude && lc(filter.typesExclude).includes(type.toLowerCase())) return `excludes type ${type}`;
  if (filter.groupsInclude && !filter.groupsInclude.some((g) => groups.includes(g))) return `applies to groups ${filter.groupsInclude.join(", ")}`;
  if (filter.groupsExclude && filter.groupsExclude.some((g) => groups.includes(g))) return `excludes groups ${filter.groupsExclude.join(", ")}`;
  if (filter.query) {
    const r = await evaluateExpression(input, filter.query, input.headTree);
    if (r.kind === "value" && !r.value) return `filter query ${filter.query.text} is false for this entity`;
    // An unknown or broken query cannot exclude: the rules run and say what they can.
  }
  return true;
}
