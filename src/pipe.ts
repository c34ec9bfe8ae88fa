import type { PipeConfig } from "./config/index.js";
import { diagnostic, sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import { loadEntities } from "./entities.js";
import { ConfigError, EnvironmentError, RepositoryError } from "./errors.js";
import type { Logger } from "./log.js";
import { decideGate } from "./report/gate.js";
import type { EntityResult, PublishResult, Report } from "./report/model.js";
import { repositoryIdentity } from "./repository-identity.js";
import { evaluateEntity } from "./rules/engine.js";
import { factsFromDescriptor, ruleBasepath } from "./rules/facts.js";
import { makeJqRunner } from "./rules/jq.js";
import { loadScorecardsBothTrees } from "./rules/load.js";
import { makeRegexRunner } from "./rules/regex.js";
import type { Git } from "./sources/git.js";
import { openRepository, type RepoSnapshot } from "./sources/git-source.js";
import { TOOL_NAME, VERSION } from "./version.js";
import type { CatalogApi } from "./catalog/api.js";
import { catalogChecks } from "./catalog/checks.js";
import { scorecardFromText } from "./rules/load.js";
import { CatalogError } from "./catalog/api.js";
import { HttpError } from "./http/client.js";
import type { Scorecard } from "./rules/model.js";

export interface PipeDeps {
  readonly git: Git;
  readonly log: Logger;
  readonly now: () => Date;
  /** Present when CORTEX_API_KEY is set. */
  readonly catalog: CatalogApi | undefined;
}

/**
 * Orchestration only: sources → descriptors → rules → report. Returns the report; the caller
 * writes and publishes it. Environment failures after configuration still yield a report.
 */
export async function runPipe(config: PipeConfig, deps: PipeDeps): Promise<Report> {
  let snapshot: RepoSnapshot;
  const open = (cwd: string) => openRepository({ cwd, defaultBranch: config.defaultBranch, git: deps.git });
  try {
    snapshot = await open(config.cwd).catch((e: unknown) => {
      const cloneDir = config.build.cloneDir;
      if (e instanceof RepositoryError && cloneDir && cloneDir !== config.cwd) return open(cloneDir);
      throw e;
    });
  } catch (e) {
    if (e instanceof EnvironmentError) return environmentReport(config, e);
    throw e;
  }
  try {
    return await evaluate(config, deps, snapshot);
  } finally {
    await snapshot.close();
  }
}

async function evaluate(config: PipeConfig, deps: PipeDeps, snap: RepoSnapshot): Promise<Report> {
  const { log } = deps;
  const def = snap.defaultBranch;
  log.info(`default branch: ${def.name} at ${def.commit.slice(0, 12)} (via ${def.via}); this commit: ${snap.headCommit.slice(0, 12)}`);
  for (const note of snap.notes) log.warn(note);

  const repository = repositoryIdentity(config.build.repoFullName, snap.originUrl);
  const diagnostics: Diagnostic[] = [];
  const commitProblem = await commitMismatch(deps.git, snap, config.build.commit);
  if (commitProblem) diagnostics.push(commitProblem);
  const aliases = config.aliases
    ? { names: config.aliases, source: "ALIASES" }
    : deps.catalog
      ? await catalogAliases(deps.catalog)
      : undefined;

  const { entities, diagnostics: entityDiagnostics } = await loadEntities(snap.head, def.tree, config.descriptors, {
    repository,
    aliases,
    defaultTree: def.tree,
    headTree: snap.head,
  });
  diagnostics.push(...entityDiagnostics);
  const cards = await loadScorecardsBothTrees(snap.head, def.tree, config.scorecards);
  diagnostics.push(...cards.diagnostics);
  const scorecards: Scorecard[] = [...cards.scorecards];
  let customByTag = new Map<string, ReadonlyMap<string, unknown>>();
  if (deps.catalog) {
    const fetched = await fetchScorecards(deps.catalog, config.scorecardTags);
    diagnostics.push(...fetched.diagnostics);
    scorecards.push(...fetched.scorecards);
    const view = await catalogChecks(deps.catalog, entities);
    diagnostics.push(...view.diagnostics);
    customByTag = view.customByTag;
  }
  log.info(`found ${entities.length} descriptor(s) and ${scorecards.length} scorecard(s)`);
  const levelProblem = requiredLevelProblem(config.requiredLevel, scorecards);
  if (levelProblem) throw new ConfigError([levelProblem]);

  const regex = makeRegexRunner();
  const jq = makeJqRunner();
  const results: EntityResult[] = [];
  try {
    for (const entity of entities) {
      const d = entity.descriptor;
      const basepath = d?.git?.basepath ?? "";
      const evaluation = d
        ? await evaluateEntity(
            {
              entity: factsFromDescriptor(d),
              basepath: ruleBasepath(d),
              // The default branch is scored with ITS descriptor: what the catalog reads today.
              ...(entity.onDefault === "same"
                ? {}
                : { defaultEntity: "absent" in entity.onDefault ? entity.onDefault : { entity: factsFromDescriptor(entity.onDefault), basepath: ruleBasepath(entity.onDefault) } }),
              defaultTree: def.tree,
              headTree: snap.head,
              defaultBranchName: def.name,
              catalogCustom: d.tag ? customByTag.get(d.tag) : undefined,
              regex,
              jq,
              now: deps.now(),
            },
            scorecards,
          )
        : { scorecards: [], notApplied: [] };
      results.push({
        tag: d?.tag ?? null,
        descriptor: entity.file,
        basepath,
        valid: entity.valid,
        scorecards: evaluation.scorecards,
        notApplied: evaluation.notApplied,
      });
    }

  } finally {
    await jq.close();
  }
  const publish: PublishResult[] = [];
  const sorted = sortDiagnostics(diagnostics);
  const gate = decideGate({ failOn: config.failOn, requiredLevel: config.requiredLevel, minScore: config.minScore, diagnostics: sorted, entities: results });
  return {
    ...baseReport(config),
    repository: repository?.fullName ?? null,
    commit: config.build.commit ?? snap.headCommit,
    ...(config.build.commit && config.build.commit !== snap.headCommit ? { evaluatedCommit: snap.headCommit } : {}),
    defaultBranch: { name: def.name, commit: def.commit },
    result: gate.result,
    // 1 when the gate fails; 3 when a service we needed for a trustworthy result was unreachable.
    exitCode: gate.result === "FAILED" ? 1 : sorted.some((d) => d.code === "CATALOG_UNREACHABLE" && d.severity === "error") ? 3 : 0,
    gate: { failOn: config.failOn, reasons: gate.reasons },
    diagnostics: sorted,
    entities: results,
    publish,
  };
}

function baseReport(config: PipeConfig) {
  const b = config.build;
  return {
    schemaVersion: 1 as const,
    tool: { name: TOOL_NAME, version: VERSION },
    repository: b.repoFullName ?? null,
    branch: b.branch ?? null,
    ...(b.prId ? { pullRequest: { id: b.prId, destination: b.prDestinationBranch ?? null } } : {}),
    ...(b.repoFullName && b.buildNumber ? { pipelineUrl: `https://bitbucket.org/${b.repoFullName}/pipelines/results/${b.buildNumber}` } : {}),
  };
}

function environmentReport(config: PipeConfig, e: EnvironmentError): Report {
  return {
    ...baseReport(config),
    commit: config.build.commit ?? "",
    defaultBranch: { name: config.defaultBranch ?? "", commit: "" },
    result: "FAILED",
    exitCode: 3,
    gate: { failOn: config.failOn, reasons: [e.message] },
    diagnostics: [diagnostic(e.code, "error", e.message, { hint: e.hint })],
    entities: [],
    publish: [],
  };
}

async function catalogAliases(api: CatalogApi): Promise<{ names: readonly string[]; source: string } | undefined> {
  try {
    const names = await api.bitbucketAliases();
    return names ? { names, source: "the catalog's Bitbucket configurations" } : undefined;
  } catch (e) {
    if (e instanceof HttpError || e instanceof CatalogError) return undefined;
    throw e;
  }
}

async function fetchScorecards(api: CatalogApi, tags: readonly string[]): Promise<{ scorecards: Scorecard[]; diagnostics: Diagnostic[] }> {
  const scorecards: Scorecard[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const tag of tags) {
    try {
      const r = scorecardFromText(tag, await api.getScorecardYaml(tag));
      diagnostics.push(...r.diagnostics);
      if (r.scorecard) scorecards.push(r.scorecard);
    } catch (e) {
      if (e instanceof CatalogError) diagnostics.push(diagnostic(e.status === 404 ? "SCORECARD_NOT_FOUND" : "CATALOG_UNREACHABLE", "error", e.message, { hint: e.hint }));
      else if (e instanceof HttpError) diagnostics.push(diagnostic("CATALOG_UNREACHABLE", "error", `could not fetch scorecard "${tag}": ${e.message}`, { hint: "Check CORTEX_API_URL and the network." }));
      else throw e;
    }
  }
  return { scorecards, diagnostics };
}

/** REQUIRED_LEVEL must name a level some scorecard's ladder has: a typo is a usage error (exit 2). */
function requiredLevelProblem(required: string | undefined, scorecards: readonly Scorecard[]): string | undefined {
  if (required === undefined || scorecards.length === 0) return undefined;
  const levels = [...new Set(scorecards.flatMap((s) => s.levels.map((l) => l.name)))];
  if (levels.some((l) => l.toLowerCase() === required.toLowerCase())) return undefined;
  return `REQUIRED_LEVEL "${required}" is not a level of any scorecard's ladder (levels: ${levels.join(", ") || "none — the scorecards have no ladder"}).`;
}

/**
 * The report goes on BITBUCKET_COMMIT, but the checkout is what gets evaluated. They agree on a
 * push (same commit) and on a pull request (the checkout is a merge whose parent it is).
 */
async function commitMismatch(git: Git, snap: RepoSnapshot, commit: string | undefined): Promise<Diagnostic | undefined> {
  if (!commit || commit === snap.headCommit) return undefined;
  const r = await git.run(["rev-list", "--parents", "-n", "1", snap.headCommit], { cwd: snap.topLevel });
  const parents = r.stdout.toString("utf8").trim().split(/\s+/).slice(1);
  if (parents.some((p) => p === commit || (commit.length >= 7 && p.startsWith(commit)))) return undefined;
  return diagnostic(
    "COMMIT_MISMATCH",
    "warning",
    `BITBUCKET_COMMIT ${commit.slice(0, 12)} is not the checked-out commit ${snap.headCommit.slice(0, 12)} nor one of its parents; the results describe ${snap.headCommit.slice(0, 12)}`,
    { hint: "Run the pipe on the checkout of BITBUCKET_COMMIT, or unset BITBUCKET_COMMIT when running locally." },
  );
}
