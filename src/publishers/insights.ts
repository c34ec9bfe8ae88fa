import type { InsightsTarget } from "../config/index.js";
import { HttpClient, type HttpRequest, type HttpResponse } from "../http/client.js";
import type { Report } from "../report/model.js";
import { explainFailure } from "./errors.js";
import { batches, CLOUD_LIMITS, DC_LIMITS, renderCloud, renderDataCenter } from "./insights-render.js";

export interface PublishOutcome {
  readonly ok: boolean;
  readonly detail: string;
  readonly hint?: string;
}

type Target = Exclude<InsightsTarget, { kind: "none" }>;

/**
 * Posts the Code Insights report for `report.commit`, replacing any earlier one: delete (404 is
 * fine), put the report, then the annotations in batches. Re-running leaves the same state.
 */
export async function publishInsights(report: Report, target: Target, reportId: string, client: HttpClient, repo: string): Promise<PublishOutcome> {
  return target.kind === "cloud" ? publishCloud(report, target, reportId, client, repo) : publishDataCenter(report, target, reportId, client, repo);
}

function authHeaders(target: Target): Record<string, string> {
  if (target.kind === "data-center") return { authorization: `Bearer ${target.token.reveal()}` };
  const auth = target.auth;
  if (auth.kind === "bearer") return { authorization: `Bearer ${auth.token.reveal()}` };
  if (auth.kind === "basic") return { authorization: `Basic ${Buffer.from(`${auth.username}:${auth.token.reveal()}`).toString("base64")}` };
  return {}; // the Pipelines proxy adds the credentials
}

async function step(client: HttpClient, req: HttpRequest, what: string, fixes: { auth: string; notFound: string }, okStatuses: readonly number[] = []): Promise<PublishOutcome | HttpResponse> {
  const res = await client.send(req);
  if ((res.status >= 200 && res.status < 300) || okStatuses.includes(res.status)) return res;
  const e = explainFailure(res, what, fixes);
  return { ok: false, detail: e.message, hint: e.hint };
}

const isOutcome = (x: PublishOutcome | HttpResponse): x is PublishOutcome => "ok" in x;

async function publishCloud(report: Report, target: Extract<Target, { kind: "cloud" }>, reportId: string, client: HttpClient, repo: string): Promise<PublishOutcome> {
  const [workspace, slug] = repo.split("/");
  const base = `${target.apiUrl}/repositories/${encodeURIComponent(workspace ?? "")}/${encodeURIComponent(slug ?? "")}/commit/${report.commit}/reports/${encodeURIComponent(reportId)}`;
  const headers = { ...authHeaders(target), "content-type": "application/json", accept: "application/json" };
  const fixes = {
    auth:
      target.auth.kind === "proxy"
        ? "Inside Pipelines the proxy authenticates this repository only; outside it set BITBUCKET_ACCESS_TOKEN (a repository access token with pull request and repository read scopes)."
        : "Check BITBUCKET_ACCESS_TOKEN (or BITBUCKET_USERNAME + BITBUCKET_API_TOKEN): it needs the repository and pull request scopes for this repository.",
    notFound: `Check that the repository ${repo} and commit ${report.commit} exist on Bitbucket Cloud (BITBUCKET_REPO_FULL_NAME, BITBUCKET_COMMIT).`,
  };
  const rendered = renderCloud(report, reportId);
  const del = await step(client, { method: "DELETE", url: base, headers, idempotent: true }, "Deleting the previous Code Insights report", fixes, [404]);
  if (isOutcome(del)) return del;
  const put = await step(client, { method: "PUT", url: base, headers, body: JSON.stringify(rendered.report), idempotent: true }, "Creating the Code Insights report", fixes);
  if (isOutcome(put)) return put;
  for (const batch of batches(rendered.annotations, CLOUD_LIMITS.batch)) {
    // Annotations carry external_ids, so repeating a batch after a fault overwrites, not duplicates.
    const post = await step(client, { method: "POST", url: `${base}/annotations`, headers, body: JSON.stringify(batch), idempotent: true }, "Posting Code Insights annotations", fixes);
    if (isOutcome(post)) return post;
  }
  return { ok: true, detail: summary(rendered.annotations.length, rendered.notShown, `Bitbucket Cloud report ${reportId} on ${report.commit.slice(0, 12)}`) };
}

async function publishDataCenter(report: Report, target: Extract<Target, { kind: "data-center" }>, reportId: string, client: HttpClient, repo: string): Promise<PublishOutcome> {
  const [project, slug] = repo.split("/");
  const base = `${target.serverUrl}/rest/insights/1.0/projects/${encodeURIComponent(project ?? "")}/repos/${encodeURIComponent(slug ?? "")}/commits/${report.commit}/reports/${encodeURIComponent(reportId)}`;
  const headers = { ...authHeaders(target), "content-type": "application/json", accept: "application/json" };
  const fixes = {
    auth: "Check BITBUCKET_ACCESS_TOKEN: an HTTP access token with repository read (Data Center) that created the report, or a newer one from the same user.",
    notFound: `Check the project key and repository slug (${repo}, read from BITBUCKET_REPO_FULL_NAME or the origin URL's /scm/PROJECT/repo) and that commit ${report.commit} was pushed.`,
  };
  const rendered = renderDataCenter(report);
  // Data Center never de-duplicates annotations: delete the report (and with it its annotations) first.
  const del = await step(client, { method: "DELETE", url: base, headers, idempotent: true }, "Deleting the previous Code Insights report", fixes, [404]);
  if (isOutcome(del)) return del;
  const put = await step(client, { method: "PUT", url: base, headers, body: JSON.stringify(rendered.report), idempotent: true }, "Creating the Code Insights report", fixes);
  if (isOutcome(put)) return put;
  for (const batch of batches(rendered.annotations, DC_LIMITS.batch)) {
    const post = await step(client, { method: "POST", url: `${base}/annotations`, headers, body: JSON.stringify({ annotations: batch }), idempotent: false }, "Posting Code Insights annotations", fixes);
    if (isOutcome(post)) return post;
  }
  return { ok: true, detail: summary(rendered.annotations.length, rendered.notShown, `Bitbucket Data Center report ${reportId} on ${report.commit.slice(0, 12)}`) };
}

function summary(shown: number, notShown: number, what: string): string {
  return `${what}: ${shown} annotation${shown === 1 ? "" : "s"}${notShown ? `, ${notShown} more findings not shown (limit ${CLOUD_LIMITS.annotations})` : ""}`;
}
