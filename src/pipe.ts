import type { PipeConfig } from "./config/index.js";
import { diagnostic, sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import { loadEntities } from "./entities.js";
import { EnvironmentError } from "./errors.js";
import type { Logger } from "./log.js";
import { decideGate } from "./report/gate.js";
import type { EntityResult, PublishResult, Report } from "./report/model.js";
import { evaluateEntity } from "./rules/engine.js";
import { makeJqRunner } from "./rules/jq.js";
import { loadScorecardFiles } from "./rules/load.js";
import { makeRegexRunner } from "./rules/regex.js";
import type { Git } from "./sources/git.js";
import { openRepository, type RepoSnapshot } from "./sources/git-source.js";
import { TOOL_NAME, VERSION } from "./version.js";

export interface PipeDeps {
  readonly git: Git;
  readonly log: Logger;
  readonly now: () => Date;
}

/**
 * Orchestration only: sources → descriptors → rules → report. Returns the report; the caller
 * writes and publishes it. Environment failures after configuration still yield a report.
 */
export async function runPipe(config: PipeConfig, deps: PipeDeps): Promise<Report> {
  let snapshot: RepoSnapshot;
  try {
    snapshot = await openRepository({ cwd: config.cwd, defaultBranch: config.defaultBranch, git: deps.git });
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

  const repository = config.build.repoFullName
    ? { fullName: config.build.repoFullName, source: "BITBUCKET_REPO_FULL_NAME" }
    : snap.originFullName
      ? { fullName: snap.originFullName, source: "the origin URL" }
      : undefined;
  const aliases = config.aliases ? { names: config.aliases, source: "ALIASES" } : undefined;
  const diagnostics: Diagnostic[] = [];

  const { entities, diagnostics: entityDiagnostics } = await loadEntities(snap.head, def.tree, config.descriptors, {
    repository,
    aliases,
    defaultTree: def.tree,
    headTree: snap.head,
  });
  diagnostics.push(...entityDiagnostics);
  const cards = await loadScorecardFiles(snap.head, config.scorecards);
  diagnostics.push(...cards.diagnostics);
  log.info(`found ${entities.length} descriptor(s) and ${cards.scorecards.length} scorecard(s)`);

  const regex = makeRegexRunner();
  const jq = makeJqRunner();
  const results: EntityResult[] = [];
  for (const entity of entities) {
    const d = entity.descriptor;
    const basepath = d?.git?.basepath ?? "";
    const evaluation = d
      ? await evaluateEntity(
          {
            entity: {
              tag: d.tag,
              name: d.title,
              description: d.description,
              type: d.type,
              owners: d.owners,
              groups: d.groups,
              customMetadata: d.customMetadata,
              hasGit: d.git !== undefined,
            },
            basepath: basepath.startsWith("..") || basepath.startsWith("/") ? "" : basepath,
            defaultTree: def.tree,
            headTree: snap.head,
            defaultBranchName: def.name,
            catalogCustom: undefined,
            regex,
            jq,
            now: deps.now(),
          },
          cards.scorecards,
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

  const publish: PublishResult[] = [
    { target: "code-insights", status: "skipped", detail: "Code Insights publishing is not implemented in this version" },
    { target: "catalog", status: "skipped", detail: "catalog publishing is not implemented in this version" },
  ];
  const sorted = sortDiagnostics(diagnostics);
  const gate = decideGate({ failOn: config.failOn, requiredLevel: config.requiredLevel, minScore: config.minScore, diagnostics: sorted, entities: results });
  return {
    ...baseReport(config),
    commit: config.build.commit ?? snap.headCommit,
    ...(config.build.commit && config.build.commit !== snap.headCommit ? { evaluatedCommit: snap.headCommit } : {}),
    defaultBranch: { name: def.name, commit: def.commit },
    result: gate.result,
    exitCode: gate.result === "FAILED" ? 1 : 0,
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
