import type { PipeConfig } from "../config/index.js";
import { CatalogError, type CatalogApi } from "../catalog/api.js";
import { diagnostic, type Diagnostic } from "../diagnostics.js";
import { HttpError, type HttpClient } from "../http/client.js";
import type { Logger } from "../log.js";
import type { PublishResult, Report } from "../report/model.js";
import { catalogPayload } from "./catalog-payload.js";
import { publishInsights } from "./insights.js";
import { renderCloud, renderDataCenter } from "./insights-render.js";

export interface PublishServices {
  /** Bitbucket REST, already routed (Pipelines proxy, or direct with a token). */
  readonly bitbucket: HttpClient | undefined;
  readonly catalog: CatalogApi | undefined;
}

export interface PublishRun {
  readonly results: PublishResult[];
  readonly diagnostics: Diagnostic[];
  /** DRY_RUN: what would have been sent, by file name, written beside report.json. */
  readonly payloads: Record<string, unknown>;
}

/**
 * Decides what to publish and where (SPEC §3), and does it. Every failure becomes a
 * PUBLISH_FAILED diagnostic with its fix; nothing here throws on a service fault.
 */
export async function publishAll(report: Report, config: PipeConfig, services: PublishServices, log: Logger, now: Date): Promise<PublishRun> {
  const results: PublishResult[] = [];
  const diagnostics: Diagnostic[] = [];
  const payloads: Record<string, unknown> = {};
  const failed = (target: PublishResult["target"], message: string, hint?: string) => {
    results.push({ target, status: "failed", detail: message });
    diagnostics.push(diagnostic("PUBLISH_FAILED", "error", message, { hint }));
  };

  // Code Insights
  const target = config.insights;
  const repo = report.repository;
  if (config.dryRun) {
    // A dry run shows what would be sent even where nothing could be: the Cloud shape unless
    // Data Center is configured.
    const r = target.kind === "data-center" ? renderDataCenter(report) : renderCloud(report, config.reportId);
    payloads["insights-report.json"] = r.report;
    payloads["insights-annotations.json"] = r.annotations;
    const where = target.kind === "none" ? `nowhere (${target.reason})` : `Bitbucket ${target.kind === "cloud" ? "Cloud" : "Data Center"}`;
    results.push({ target: "code-insights", status: "dry-run", detail: `would post to ${where}: a report with ${r.annotations.length} annotations${r.notShown ? ` (${r.notShown} more not shown)` : ""}` });
  } else if (target.kind === "none") {
    results.push({ target: "code-insights", status: "skipped", detail: target.reason });
  } else if (!repo) {
    results.push({ target: "code-insights", status: "skipped", detail: "the repository is unknown (set BITBUCKET_REPO_FULL_NAME)" });
  } else if (!/^[0-9a-f]{40}$/.test(report.commit)) {
    results.push({ target: "code-insights", status: "skipped", detail: `commit "${report.commit}" is not a full 40-hex commit id` });
  } else if (services.bitbucket) {
    try {
      const o = await publishInsights(report, target, config.reportId, services.bitbucket, repo);
      if (o.ok) results.push({ target: "code-insights", status: "posted", detail: o.detail });
      else failed("code-insights", o.detail, o.hint);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      failed("code-insights", `Code Insights: ${e.message}`, "Bitbucket could not be reached; check the network or re-run the step.");
    }
  }

  // Catalog custom data
  const onDefaultHead = report.commit === report.defaultBranch.commit || report.evaluatedCommit === report.defaultBranch.commit;
  const tags = report.entities.filter((e) => e.tag && e.valid).map((e) => e.tag as string);
  const why =
    config.catalog.publish === "never"
      ? "CATALOG_PUBLISH is never"
      : !config.catalog.apiKey && !config.dryRun
        ? "no CORTEX_API_KEY"
        : config.catalog.publish === "auto" && !onDefaultHead
          ? `this commit is not the head of ${report.defaultBranch.name} (CATALOG_PUBLISH=auto)`
          : tags.length === 0
            ? "no valid entity with a tag"
            : undefined;
  if (why) {
    results.push({ target: "catalog", status: "skipped", detail: why });
  } else if (config.dryRun) {
    payloads["catalog-custom-data.json"] = tags.map((tag) => ({ tag, key: config.catalog.key, value: catalogPayload(report, tag, now.toISOString()) }));
    results.push({ target: "catalog", status: "dry-run", detail: `would post custom data "${config.catalog.key}" to ${tags.join(", ")}` });
  } else if (services.catalog) {
    for (const tag of tags) {
      try {
        await services.catalog.postCustomData(tag, config.catalog.key, catalogPayload(report, tag, now.toISOString()), "Scorecard results from catalog-scorecard-pipe (default branch)");
        results.push({ target: "catalog", status: "posted", detail: `custom data "${config.catalog.key}" on ${tag}` });
      } catch (e) {
        if (e instanceof CatalogError) failed("catalog", e.message, e.hint);
        else if (e instanceof HttpError) failed("catalog", `catalog: ${e.message}`, "Check CORTEX_API_URL and the network, or re-run the step.");
        else throw e;
      }
    }
  }
  for (const r of results) log.info(`publish ${r.target}: ${r.status} — ${r.detail}`);
  return { results, diagnostics, payloads };
}
