/**
 * Bitbucket Cloud stand-in: Code Insights reports and annotations under
 * `/2.0/repositories/{workspace}/{slug}/commit/{commit}/reports/…`, plus the repository read
 * (`mainbranch`). Bodies are validated against the schemas of the official Cloud OpenAPI file
 * (test/fixtures/openapi/bitbucket-cloud.schemas.json), patched below where the live API is
 * known to be stricter or different. Limits and error shape: ../shared/FACTS.md, "Code Insights —
 * Bitbucket Cloud". [I] marks a behaviour inferred rather than documented.
 */
import { randomUUID } from "node:crypto";
import { type AuthSeen, type Credential, identify } from "./auth.js";
import { type Incoming, json, empty, matchPath, type Reply, type StandIn, type StandInOptions, startStandIn } from "./kit.js";
import { allOfBody, cachedSchemaSet, copySchemas, type FieldError, fieldErrors, loadFixture, prop, type Schema, SchemaSet } from "./schemas.js";

export interface CloudRepository {
  readonly workspace: string;
  readonly slug: string;
  /** `mainbranch.name` of `GET /2.0/repositories/{ws}/{slug}` (default `main`). */
  readonly mainbranch?: string;
  /** When given, only these commits exist (a 7+ character prefix resolves); others are 404. */
  readonly commits?: readonly string[];
}

export interface CloudAuthOptions {
  /** Credentials a client may send itself (Bearer access token, or Basic with an API token). */
  readonly credentials?: readonly Credential[];
  /**
   * Pipelines mode: the `Authorization` value the auth proxy injects (proxy.ts). It is honoured
   * only on requests that came through a proxy (`Via` header) and only for Code Insights routes:
   * the real proxy does not authorise other REST reads (FACTS.md, BCLOUD-21842).
   */
  readonly pipelinesProxy?: { readonly authorization: string };
}

export interface CloudLimits {
  readonly annotationsPerRequest: number;
  readonly annotationsPerReport: number;
  readonly summaryLength: number;
  readonly dataFields: number;
}

export interface CloudOptions extends StandInOptions {
  readonly repositories: readonly CloudRepository[];
  readonly auth: CloudAuthOptions;
  /** Lower them to test limit handling without thousands of findings. */
  readonly limits?: Partial<CloudLimits>;
  /** Report fields rejected when missing. [I] default: title, details, report_type. */
  readonly requiredReportFields?: readonly string[];
  /** Annotation fields rejected when missing. [I] default: external_id, summary, annotation_type. */
  readonly requiredAnnotationFields?: readonly string[];
}

export interface CloudServer extends StandIn {
  /** What `BITBUCKET_API_URL` should be: `<url>/2.0`. */
  readonly apiUrl: string;
  readonly state: CloudState;
}

/** The principal recorded for requests authorised by the Pipelines proxy's injected header. */
export const PIPELINES_PROXY_PRINCIPAL = "pipelines-proxy";

export const CLOUD_LIMITS: CloudLimits = { annotationsPerRequest: 100, annotationsPerReport: 1000, summaryLength: 450, dataFields: 10 };

type Body = Record<string, unknown>;

interface Stored {
  readonly uuid: string;
  body: Body;
  readonly createdOn: string;
  updatedOn: string;
}

export interface StoredReport extends Stored {
  /** By `external_id`, in first-posted order: a re-post of the same id updates in place. */
  readonly annotations: Map<string, Stored>;
}

/** Reports per commit, so tests can assert on what a run left behind. */
export class CloudState {
  /** `workspace/slug@commit` → report id (the id in the PUT path) → report. */
  readonly commits = new Map<string, Map<string, StoredReport>>();

  report(repository: string, commit: string, reportId: string): StoredReport | undefined {
    return this.commits.get(`${repository}@${commit}`)?.get(reportId);
  }

  /** Annotation bodies as posted (latest version of each external_id). */
  annotations(repository: string, commit: string, reportId: string): Body[] {
    return [...(this.report(repository, commit, reportId)?.annotations.values() ?? [])].map((a) => a.body);
  }

  /** Everything without uuids and timestamps: equal snapshots mean "same visible state". */
  snapshot(): Record<string, Record<string, { report: Body; annotations: Body[] }>> {
    const out: Record<string, Record<string, { report: Body; annotations: Body[] }>> = {};
    for (const [commit, reports] of this.commits) {
      if (reports.size === 0) continue;
      out[commit] = Object.fromEntries(
        [...reports].map(([id, r]) => [id, { report: r.body, annotations: [...r.annotations.values()].map((a) => a.body) }]),
      );
    }
    return out;
  }
}

/** Also exported as `start`: `import * as cloud from "./servers/bitbucket-cloud.js"; await cloud.start(…)`. */
export { startBitbucketCloud as start };

export async function startBitbucketCloud(options: CloudOptions): Promise<CloudServer> {
  const limits: CloudLimits = { ...CLOUD_LIMITS, ...options.limits };
  const required = [options.requiredReportFields, options.requiredAnnotationFields];
  const schemas = cachedSchemaSet(`cloud ${JSON.stringify([limits, required])}`, () => cloudSchemas(limits, options));
  const ctx: Ctx = { options, limits, schemas, state: new CloudState() };
  const standIn = await startStandIn(
    { authenticate: (header, viaProxy) => authenticate(options.auth, header, viaProxy), errorReply: cloudError, handle: (req) => route(req, ctx) },
    options,
  );
  return { ...standIn, apiUrl: `${standIn.url}/2.0`, state: ctx.state };
}

interface Ctx {
  readonly options: CloudOptions;
  readonly limits: CloudLimits;
  readonly schemas: SchemaSet;
  readonly state: CloudState;
}

const BASE = "/2.0/repositories/{workspace}/{slug}";

function route(req: Incoming, ctx: Ctx): Reply {
  const p = req.path;
  let m: Record<string, string> | undefined;
  if ((m = matchPath(`${BASE}/commit/{commit}/reports/{reportId}/annotations`, p))) {
    return insights(req, ctx, m, { GET: listAnnotations, POST: postAnnotations });
  }
  if ((m = matchPath(`${BASE}/commit/{commit}/reports/{reportId}`, p))) {
    return insights(req, ctx, m, { GET: getReport, PUT: putReport, DELETE: deleteReport });
  }
  if ((m = matchPath(`${BASE}/commit/{commit}/reports`, p))) {
    return insights(req, ctx, m, { GET: listReports });
  }
  if ((m = matchPath(BASE, p))) {
    if (req.method !== "GET") return cloudError(405, "Method not allowed");
    const denied = authorize(req, false);
    if (denied) return denied;
    const repo = findRepo(ctx, m);
    if (!repo) return cloudError(404, `Repository ${m["workspace"]}/${m["slug"]} not found`);
    const name = `${repo.workspace}/${repo.slug}`;
    return json(200, { type: "repository", full_name: name, slug: repo.slug, name: repo.slug, mainbranch: { type: "branch", name: repo.mainbranch ?? "main" } });
  }
  return cloudError(404, "Resource not found", "There is no API hosted at this URL.");
}

type Params = Record<string, string>;
interface Target {
  readonly commitKey: string;
  readonly reportId: string;
}
type Handler = (req: Incoming, ctx: Ctx, t: Target) => Reply;

/** Auth, repository and commit checks shared by every Code Insights route, in the API's order. */
function insights(req: Incoming, ctx: Ctx, m: Params, handlers: Partial<Record<string, Handler>>): Reply {
  const handler = handlers[req.method];
  if (!handler) return cloudError(405, "Method not allowed");
  const denied = authorize(req, true);
  if (denied) return denied;
  const repo = findRepo(ctx, m);
  if (!repo) return cloudError(404, `Repository ${m["workspace"]}/${m["slug"]} not found`);
  const commit = resolveCommit(repo, m["commit"] ?? "");
  if (!commit) return cloudError(404, `Commit ${m["commit"]} not found`);
  const name = `${repo.workspace}/${repo.slug}`;
  return handler(req, ctx, { commitKey: `${name}@${commit}`, reportId: m["reportId"] ?? "" });
}

function authenticate(auth: CloudAuthOptions, header: string | undefined, viaProxy: boolean): AuthSeen {
  const seen = identify(header, auth.credentials ?? []);
  if (seen.principal || !auth.pipelinesProxy || header?.trim() !== auth.pipelinesProxy.authorization) return seen;
  // The injected credential stands for "came through the Pipelines proxy"; sent directly it is nobody.
  return viaProxy ? { scheme: seen.scheme, principal: PIPELINES_PROXY_PRINCIPAL } : seen;
}

function authorize(req: Incoming, codeInsights: boolean): Reply | undefined {
  const { principal, readOnly } = req.auth;
  if (!principal) return cloudError(401, "Authentication required", undefined, { "www-authenticate": 'Bearer realm="api.bitbucket.org"' });
  if (principal === PIPELINES_PROXY_PRINCIPAL && !codeInsights) return cloudError(403, "Your credentials lack one or more required privilege scopes.");
  if (readOnly && req.method !== "GET") return cloudError(403, "Your credentials lack one or more required privilege scopes.");
  return undefined;
}

function findRepo(ctx: Ctx, m: Params): CloudRepository | undefined {
  return ctx.options.repositories.find((r) => r.workspace === m["workspace"] && r.slug === m["slug"]);
}

function resolveCommit(repo: CloudRepository, commit: string): string | undefined {
  if (!repo.commits) return /^[0-9a-f]{7,40}$/i.test(commit) ? commit.toLowerCase() : undefined;
  const c = commit.toLowerCase();
  return repo.commits.find((full) => full === c || (c.length >= 7 && full.startsWith(c)));
}

function putReport(req: Incoming, ctx: Ctx, t: Target): Reply {
  const body = parseBody(req);
  if (!isObject(body)) return invalid(body === undefined ? [{ field: "", message: "body is not valid JSON" }] : [{ field: "", message: "must be an object" }]);
  const errors = validate(ctx.schemas, "report", body);
  if (errors.length) return invalid(errors);
  const reports = ctx.state.commits.get(t.commitKey) ?? new Map<string, StoredReport>();
  ctx.state.commits.set(t.commitKey, reports);
  const now = new Date().toISOString();
  const existing = findReport(reports, t.reportId);
  // Replacing a report keeps its annotations: only DELETE drops them (why publishers delete first).
  const report: StoredReport = existing ? Object.assign(existing, { body, updatedOn: now }) : { uuid: `{${randomUUID()}}`, body, createdOn: now, updatedOn: now, annotations: new Map() };
  if (!existing) reports.set(t.reportId, report);
  return json(200, reportJson(report, t.reportId));
}

function getReport(_req: Incoming, ctx: Ctx, t: Target): Reply {
  const report = findReport(ctx.state.commits.get(t.commitKey), t.reportId);
  return report ? json(200, reportJson(report, t.reportId)) : reportNotFound(t);
}

function deleteReport(_req: Incoming, ctx: Ctx, t: Target): Reply {
  const reports = ctx.state.commits.get(t.commitKey);
  const report = findReport(reports, t.reportId);
  if (!reports || !report) return reportNotFound(t);
  for (const [id, r] of reports) if (r === report) reports.delete(id);
  return empty(204);
}

function listReports(req: Incoming, ctx: Ctx, t: Target): Reply {
  const reports = [...(ctx.state.commits.get(t.commitKey) ?? new Map<string, StoredReport>())];
  return json(200, page(req, reports.map(([id, r]) => reportJson(r, id))));
}

function postAnnotations(req: Incoming, ctx: Ctx, t: Target): Reply {
  const report = findReport(ctx.state.commits.get(t.commitKey), t.reportId);
  if (!report) return reportNotFound(t);
  const body = parseBody(req);
  if (!Array.isArray(body)) return invalid([{ field: "", message: body === undefined ? "body is not valid JSON" : "must be an array of annotations" }]);
  const max = ctx.limits.annotationsPerRequest;
  if (body.length === 0 || body.length > max) return invalid([{ field: "", message: `must contain between 1 and ${max} annotations, got ${body.length}` }]);
  const errors = body.flatMap((a: unknown, i) => validate(ctx.schemas, "report_annotation", a).map((e) => ({ ...e, field: `[${i}]${e.field ? `.${e.field}` : ""}` })));
  if (errors.length) return invalid(errors);
  const annotations = body as Body[];
  // An over-limit batch is rejected whole; ids already stored are updates, not additions.
  const after = new Set([...report.annotations.keys(), ...annotations.map((a) => String(a["external_id"]))]).size;
  if (after > ctx.limits.annotationsPerReport) {
    return invalid([{ field: "", message: `a report can hold at most ${ctx.limits.annotationsPerReport} annotations; this request would make ${after}` }]);
  }
  const now = new Date().toISOString();
  const out = annotations.map((a) => {
    const id = String(a["external_id"]);
    const prev = report.annotations.get(id);
    const stored: Stored = prev ? Object.assign(prev, { body: a, updatedOn: now }) : { uuid: `{${randomUUID()}}`, body: a, createdOn: now, updatedOn: now };
    report.annotations.set(id, stored);
    return annotationJson(stored);
  });
  return json(200, out);
}

function listAnnotations(req: Incoming, ctx: Ctx, t: Target): Reply {
  const report = findReport(ctx.state.commits.get(t.commitKey), t.reportId);
  if (!report) return reportNotFound(t);
  return json(200, page(req, [...report.annotations.values()].map(annotationJson)));
}

function findReport(reports: Map<string, StoredReport> | undefined, id: string): StoredReport | undefined {
  // The path id is "either the uuid or external-id of the report" (spec, reportId parameter).
  return reports?.get(id) ?? [...(reports?.values() ?? [])].find((r) => r.uuid === id);
}

function reportJson(r: StoredReport, id: string): Body {
  return { ...r.body, type: "report", uuid: r.uuid, external_id: r.body["external_id"] ?? id, created_on: r.createdOn, updated_on: r.updatedOn };
}

function annotationJson(a: Stored): Body {
  return { ...a.body, type: "report_annotation", uuid: a.uuid, created_on: a.createdOn, updated_on: a.updatedOn };
}

/** Cloud pagination: `page` from 1, `pagelen` default 10, at most 100 (paginated_* schemas). */
function page(req: Incoming, values: Body[]): Body {
  const pagelen = Math.min(Math.max(Number(req.query.get("pagelen") ?? 10) || 10, 1), 100);
  const n = Math.max(Number(req.query.get("page") ?? 1) || 1, 1);
  const out: Body = { values: values.slice((n - 1) * pagelen, n * pagelen), page: n, pagelen, size: values.length };
  if (n * pagelen < values.length) out["next"] = `${req.origin}${req.path}?page=${n + 1}&pagelen=${pagelen}`;
  return out;
}

function parseBody(req: Incoming): unknown {
  try {
    return JSON.parse(req.rawBody) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Body {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function validate(schemas: SchemaSet, name: string, value: unknown): FieldError[] {
  const fn = schemas.validator(name);
  return fn(value) ? [] : fieldErrors(fn.errors);
}

function reportNotFound(t: Target): Reply {
  return cloudError(404, `Report ${t.reportId} not found on commit ${t.commitKey.split("@")[1]}`);
}

/** A 400 in Cloud's shape, with the offending fields listed like the real API's `fields`. */
function invalid(errors: readonly FieldError[]): Reply {
  const fields: Record<string, string[]> = {};
  for (const e of errors) (fields[e.field || "body"] ??= []).push(e.message);
  const first = errors[0];
  const message = first ? `Bad request: ${first.field ? `${first.field} ` : ""}${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ""}` : "Bad request";
  return json(400, { type: "error", error: { message, fields } });
}

/** `{"type":"error","error":{"message","detail"?}}`: the Cloud error schema (`error`). */
export function cloudError(status: number, message: string, detail?: string, headers: Record<string, string> = {}): Reply {
  return json(status, { type: "error", error: detail === undefined ? { message } : { message, detail } }, headers);
}

/**
 * The official schemas, patched where the live API and the spec disagree:
 * - `object` requires `type`: true of responses only; the spec's own sample requests omit it.
 * - `report_data.value` is typed `object`, yet the operation's "Data field formats" table (same
 *   file, createOrUpdateReport description) takes booleans, numbers, strings and {text, href};
 *   that table becomes if/then rules here, including PERCENTAGE 0–100.
 * - "Maximum 10" data fields is stated only in prose (report.data description).
 * - summary: required and ≤ 450 in practice (reviewdog and other integrations hit 400s). [O]
 * - which report/annotation fields are required is not in the spec. [I] (options above)
 */
function cloudSchemas(limits: CloudLimits, options: CloudOptions): SchemaSet {
  const s = copySchemas(loadFixture("bitbucket-cloud.schemas.json"));
  delete s["object"]?.["required"];

  const report = allOfBody(s["report"]);
  report["required"] = [...(options.requiredReportFields ?? ["title", "details", "report_type"])];
  Object.assign(prop(report, "data"), { maxItems: limits.dataFields });

  const data = s["report_data"] as Schema;
  data["required"] = ["title", "value"];
  (data["properties"] as Record<string, Schema>)["value"] = {};
  data["allOf"] = dataValueRules();

  const annotation = allOfBody(s["report_annotation"]);
  annotation["required"] = [...(options.requiredAnnotationFields ?? ["external_id", "summary", "annotation_type"])];
  Object.assign(prop(annotation, "summary"), { minLength: 1, maxLength: limits.summaryLength });
  return new SchemaSet("bitbucket-cloud", s);
}

function dataValueRules(): Schema[] {
  const when = (type: string, value: Schema): Schema => ({
    if: { required: ["type"], properties: { type: { const: type } } },
    then: { properties: { value } },
  });
  return [
    when("BOOLEAN", { type: "boolean" }),
    when("DATE", { type: "number" }),
    when("DURATION", { type: "number" }),
    when("NUMBER", { type: "number" }),
    when("PERCENTAGE", { type: "number", minimum: 0, maximum: 100 }),
    when("TEXT", { type: "string" }),
    when("LINK", { type: "object", required: ["text", "href"], properties: { text: { type: "string" }, href: { type: "string", format: "uri" } } }),
    // No type: "Number, String or Boolean (not an array or object)".
    { if: { not: { required: ["type"] } }, then: { properties: { value: { type: ["number", "string", "boolean"] } } } },
  ];
}
