/**
 * Bitbucket Data Center stand-in: Code Insights under
 * `/rest/insights/{1.0|latest}/projects/{key}/repos/{slug}/commits/{commit}/…` and
 * `GET /rest/api/{1.0|latest}/projects/{key}/repos/{slug}/default-branch`. Bodies are validated
 * against the schemas of the official DC 9.2 OpenAPI file
 * (test/fixtures/openapi/bitbucket-dc.schemas.json), patched below with the rules its operation
 * descriptions state in prose. Shapes and limits: ../shared/FACTS.md, "Code Insights — Bitbucket
 * Server / Data Center". [I] marks a behaviour inferred rather than documented.
 */
import { type Credential, identify } from "./auth.js";
import { empty, type Incoming, json, matchPath, type Reply, type StandIn, type StandInOptions, startStandIn } from "./kit.js";
import { anchorPatterns, cachedSchemaSet, copySchemas, type FieldError, fieldErrors, loadFixture, prop, type Schema, SchemaSet } from "./schemas.js";

export interface DcRepository {
  /** Project key; matched case-insensitively, as DC does. */
  readonly projectKey: string;
  readonly slug: string;
  /** Configured default branch name; absent → the default-branch endpoint answers 404. */
  readonly defaultBranch?: string;
  readonly latestCommit?: string;
}

export interface DcOptions extends StandInOptions {
  readonly repositories: readonly DcRepository[];
  /** HTTP access tokens (Bearer); `readOnly` ones get 401 on writes, like a REPO_READ token. */
  readonly credentials: readonly Credential[];
  /** Instance-level annotation limit per report (DC default 1000). */
  readonly maxAnnotationsPerReport?: number;
  /**
   * Reject fields the request types do not declare (default true). [I] Whether DC ignores or
   * rejects them is not documented; rejecting catches Cloud-shaped payloads (`summary`,
   * `annotation_type`, `external_id`) sent to DC, which would otherwise be silently dropped.
   */
  readonly rejectUnknownFields?: boolean;
}

export interface DcServer extends StandIn {
  readonly state: DcState;
}

type Body = Record<string, unknown>;

export interface DcReport {
  body: Body;
  /** Credential name of the creator: only the creator may replace the report. */
  creator: string;
  readonly createdDate: number;
  /** As posted, in order; DC does not de-duplicate. */
  readonly annotations: Body[];
}

export class DcState {
  /** `PROJECT/slug@commit` (project upper-cased) → report key → report. */
  readonly commits = new Map<string, Map<string, DcReport>>();

  report(repository: string, commit: string, key: string): DcReport | undefined {
    return this.commits.get(`${normaliseRepo(repository)}@${commit.toLowerCase()}`)?.get(key);
  }

  annotations(repository: string, commit: string, key: string): Body[] {
    return [...(this.report(repository, commit, key)?.annotations ?? [])];
  }

  /** Everything but timestamps: equal snapshots mean "same visible state". */
  snapshot(): Record<string, Record<string, { report: Body; annotations: Body[] }>> {
    const out: Record<string, Record<string, { report: Body; annotations: Body[] }>> = {};
    for (const [commit, reports] of this.commits) {
      if (reports.size) out[commit] = Object.fromEntries([...reports].map(([k, r]) => [k, { report: r.body, annotations: [...r.annotations] }]));
    }
    return out;
  }
}

/** Also exported as `start`: `import * as dc from "./servers/bitbucket-dc.js"; await dc.start(…)`. */
export { startBitbucketDc as start };

export async function startBitbucketDc(options: DcOptions): Promise<DcServer> {
  const ctx: Ctx = { options, schemas: cachedSchemaSet(`dc ${options.rejectUnknownFields ?? true}`, () => dcSchemas(options.rejectUnknownFields ?? true)), state: new DcState(), max: options.maxAnnotationsPerReport ?? 1000 };
  const standIn = await startStandIn(
    { authenticate: (header) => identify(header, options.credentials), errorReply: (status, message) => dcError(status, message), handle: (req) => route(req, ctx) },
    options,
  );
  return { ...standIn, state: ctx.state };
}

interface Ctx {
  readonly options: DcOptions;
  readonly schemas: SchemaSet;
  readonly state: DcState;
  readonly max: number;
}

interface Target {
  readonly commitKey: string;
  readonly key: string;
}

type Handler = (req: Incoming, ctx: Ctx, t: Target) => Reply;

const REPO = "/projects/{projectKey}/repos/{slug}";
const COMMIT = `/rest/insights/{version}${REPO}/commits/{commit}`;

function route(req: Incoming, ctx: Ctx): Reply {
  let m: Record<string, string> | undefined;
  if ((m = matchPath(`${COMMIT}/reports/{key}/annotations`, req.path))) return insights(req, ctx, m, { GET: listAnnotations, POST: postAnnotations, DELETE: deleteAnnotations });
  if ((m = matchPath(`${COMMIT}/reports/{key}`, req.path))) return insights(req, ctx, m, { GET: getReport, PUT: putReport, DELETE: deleteReport });
  if ((m = matchPath(`${COMMIT}/reports`, req.path))) return insights(req, ctx, m, { GET: listReports });
  if ((m = matchPath(`${COMMIT}/annotations`, req.path))) return insights(req, ctx, m, { GET: listCommitAnnotations });
  if ((m = matchPath(`/rest/api/{version}${REPO}/default-branch`, req.path)) && isVersion(m)) {
    if (req.method !== "GET") return dcError(405, `Method ${req.method} is not supported for this resource`);
    if (!req.auth.principal) return unauthorized();
    const repo = findRepo(ctx, m);
    if (!repo) return noRepo(m);
    if (!repo.defaultBranch) return dcError(404, "The configured default branch does not exist", "com.atlassian.bitbucket.repository.NoDefaultBranchException");
    const ref: Body = { id: `refs/heads/${repo.defaultBranch}`, displayId: repo.defaultBranch, type: "BRANCH", isDefault: true };
    if (repo.latestCommit) Object.assign(ref, { latestCommit: repo.latestCommit, latestChangeset: repo.latestCommit });
    return json(200, ref);
  }
  return dcError(404, "Resource not found");
}

/** Checks shared by the Insights routes, in DC's order: auth, repository, commit, report key. */
function insights(req: Incoming, ctx: Ctx, m: Record<string, string>, handlers: Partial<Record<string, Handler>>): Reply {
  if (!isVersion(m)) return dcError(404, "Resource not found");
  const handler = handlers[req.method];
  if (!handler) return dcError(405, `Method ${req.method} is not supported for this resource`);
  if (!req.auth.principal) return unauthorized();
  if (req.auth.readOnly && req.method !== "GET") return dcError(401, "You are not permitted to modify insight reports in this repository", "com.atlassian.bitbucket.AuthorisationException");
  const repo = findRepo(ctx, m);
  if (!repo) return noRepo(m);
  const commit = m["commit"] ?? "";
  // The API takes full commit ids only (operation 400: "The provided commit hash is invalid").
  if (!/^[0-9a-f]{40}$/i.test(commit)) return validation([{ field: "commitId", message: `"${commit}" is not a full 40-character commit hash` }]);
  const key = m["key"] ?? "";
  if (key.length > 50) return validation([{ field: "key", message: `report key must be at most 50 characters, got ${key.length}` }]);
  return handler(req, ctx, { commitKey: `${repo.projectKey.toUpperCase()}/${repo.slug}@${commit.toLowerCase()}`, key });
}

function putReport(req: Incoming, ctx: Ctx, t: Target): Reply {
  const body = parse(req);
  const errors = body === undefined ? [{ field: "", message: "body is not valid JSON" }] : validate(ctx, "RestSetInsightReportRequest", body);
  if (errors.length) return validation(errors);
  const reports = ctx.state.commits.get(t.commitKey) ?? new Map<string, DcReport>();
  ctx.state.commits.set(t.commitKey, reports);
  const existing = reports.get(t.key);
  const who = req.auth.principal ?? "";
  if (existing && existing.creator !== who) return notCreator();
  // Replacing keeps the annotations; only DELETE of the report or its annotations drops them.
  const report: DcReport = existing ? Object.assign(existing, { body: body as Body }) : { body: body as Body, creator: who, createdDate: Date.now(), annotations: [] };
  reports.set(t.key, report);
  return json(200, reportJson(t.key, report));
}

function getReport(_req: Incoming, ctx: Ctx, t: Target): Reply {
  const report = ctx.state.commits.get(t.commitKey)?.get(t.key);
  return report ? json(200, reportJson(t.key, report)) : noReport(t);
}

function deleteReport(req: Incoming, ctx: Ctx, t: Target): Reply {
  const reports = ctx.state.commits.get(t.commitKey);
  const report = reports?.get(t.key);
  if (!reports || !report) return noReport(t);
  if (report.creator !== req.auth.principal) return notCreator();
  reports.delete(t.key);
  return empty(204);
}

function listReports(_req: Incoming, ctx: Ctx, t: Target): Reply {
  const values = [...(ctx.state.commits.get(t.commitKey) ?? new Map<string, DcReport>())].map(([k, r]) => reportJson(k, r));
  return json(200, { size: values.length, limit: 25, isLastPage: true, start: 0, values });
}

function postAnnotations(req: Incoming, ctx: Ctx, t: Target): Reply {
  const report = ctx.state.commits.get(t.commitKey)?.get(t.key);
  if (!report) return noReport(t);
  if (report.creator !== req.auth.principal) return notCreator();
  const body = parse(req);
  const errors = body === undefined ? [{ field: "", message: "body is not valid JSON" }] : validate(ctx, "RestBulkAddInsightAnnotationRequest", body);
  if (errors.length) return validation(errors);
  const added = (body as { annotations: Body[] }).annotations;
  // "If the request would result in more than the maximum … the entire request is rejected".
  if (report.annotations.length + added.length > ctx.max) {
    return validation([{ field: "annotations", message: `a report can have at most ${ctx.max} annotations; it has ${report.annotations.length} and this request adds ${added.length}` }]);
  }
  report.annotations.push(...added.map((a) => ({ ...a })));
  return empty(204);
}

function listAnnotations(_req: Incoming, ctx: Ctx, t: Target): Reply {
  const report = ctx.state.commits.get(t.commitKey)?.get(t.key);
  if (!report) return noReport(t);
  return json(200, { annotations: report.annotations.map((a) => ({ ...a, reportKey: t.key })) });
}

function listCommitAnnotations(_req: Incoming, ctx: Ctx, t: Target): Reply {
  const reports = [...(ctx.state.commits.get(t.commitKey) ?? new Map<string, DcReport>())];
  return json(200, { annotations: reports.flatMap(([k, r]) => r.annotations.map((a) => ({ ...a, reportKey: k }))) });
}

function deleteAnnotations(req: Incoming, ctx: Ctx, t: Target): Reply {
  const report = ctx.state.commits.get(t.commitKey)?.get(t.key);
  if (!report) return noReport(t);
  if (report.creator !== req.auth.principal) return notCreator();
  // `externalId` (repeatable) limits the deletion; without it every annotation goes.
  const only = req.query.getAll("externalId");
  const keep = only.length ? report.annotations.filter((a) => !only.includes(String(a["externalId"]))) : [];
  report.annotations.splice(0, report.annotations.length, ...keep);
  return empty(204);
}

function reportJson(key: string, r: DcReport): Body {
  return { ...r.body, key, createdDate: r.createdDate };
}

function parse(req: Incoming): unknown {
  try {
    return JSON.parse(req.rawBody) as unknown;
  } catch {
    return undefined;
  }
}

function validate(ctx: Ctx, name: string, value: unknown): FieldError[] {
  const fn = ctx.schemas.validator(name);
  return fn(value) ? [] : fieldErrors(fn.errors);
}

function isVersion(m: Record<string, string>): boolean {
  return m["version"] === "1.0" || m["version"] === "latest";
}

function findRepo(ctx: Ctx, m: Record<string, string>): DcRepository | undefined {
  return ctx.options.repositories.find((r) => r.projectKey.toUpperCase() === m["projectKey"]?.toUpperCase() && r.slug === m["slug"]);
}

function normaliseRepo(repository: string): string {
  const [project = "", slug = ""] = repository.split("/");
  return `${project.toUpperCase()}/${slug}`;
}

function unauthorized(): Reply {
  return dcError(401, "Authentication failed. Please check your credentials and try again.", "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException");
}

function notCreator(): Reply {
  return dcError(401, "Only the creator of a report may modify it or its annotations", "com.atlassian.bitbucket.AuthorisationException");
}

function noRepo(m: Record<string, string>): Reply {
  return dcError(404, `Repository ${m["projectKey"]}/${m["slug"]} does not exist.`, "com.atlassian.bitbucket.repository.NoSuchRepositoryException");
}

function noReport(t: Target): Reply {
  return dcError(404, `No report with key ${t.key} exists for this commit`, "com.atlassian.bitbucket.insights.NoSuchInsightReportException");
}

/** A 400 with one entry per offending field, `context` naming the field. */
function validation(errors: readonly FieldError[]): Reply {
  return json(400, { errors: errors.map((e) => ({ context: e.field || null, message: e.field ? `${e.field} ${e.message}` : e.message, exceptionName: "com.atlassian.bitbucket.validation.ArgumentValidationException" })) });
}

/** `{"errors":[{context, message, exceptionName}]}`: DC's RestErrors shape. */
export function dcError(status: number, message: string, exceptionName: string | null = null): Reply {
  return json(status, { errors: [{ context: null, message, exceptionName }] });
}

/**
 * The official schemas, patched with what the operations state in prose:
 * - `pattern`s are Java `@Pattern`s, which match the whole string: anchored here, else
 *   JSON Schema's substring match would let "HIGHEST" or "VERY_LOW" pass `LOW|MEDIUM|HIGH`.
 * - details ≤ 2000; link/logoUrl/annotation link "must be a valid http or https URL" (PUT
 *   report and POST annotations descriptions).
 * - data items need a value ([O] SonarQube branch plugin: "the value field in the data elements
 *   is required"), typed per the "Types" table, LINK as {linktext, href}; title [I].
 * - the bulk request needs its `annotations` list.
 */
function dcSchemas(rejectUnknown: boolean): SchemaSet {
  const s = copySchemas(loadFixture("bitbucket-dc.schemas.json"));
  const report = s["RestSetInsightReportRequest"] as Schema;
  const data = s["RestInsightReportData"] as Schema;
  const annotation = s["RestSingleAddInsightAnnotationRequest"] as Schema;
  const bulk = s["RestBulkAddInsightAnnotationRequest"] as Schema;
  for (const schema of [report, data, annotation]) anchorPatterns(schema);
  const httpUrl = { pattern: "^https?://[^\\s/$.?#][^\\s]*$" };
  Object.assign(prop(report, "details"), { maxLength: 2000 });
  Object.assign(prop(report, "link"), httpUrl);
  Object.assign(prop(report, "logoUrl"), httpUrl);
  Object.assign(prop(annotation, "link"), httpUrl);
  data["type"] = "object"; // the spec leaves it implicit; a bare string item must not pass
  data["required"] = ["title", "value"];
  (data["properties"] as Record<string, Schema>)["value"] = {};
  data["allOf"] = dataValueRules();
  bulk["required"] = ["annotations"];
  if (rejectUnknown) for (const schema of [report, data, annotation, bulk]) schema["additionalProperties"] = false;
  return new SchemaSet("bitbucket-dc", s);
}

function dataValueRules(): Schema[] {
  const when = (type: string, value: Schema): Schema => ({ if: { required: ["type"], properties: { type: { const: type } } }, then: { properties: { value } } });
  return [
    when("BOOLEAN", { type: "boolean" }),
    when("DATE", { type: "number" }),
    when("DURATION", { type: "number" }),
    when("NUMBER", { type: "number" }),
    when("PERCENTAGE", { type: "number", minimum: 0, maximum: 100 }),
    when("TEXT", { type: "string" }),
    when("LINK", { type: "object", required: ["linktext", "href"], properties: { linktext: { type: "string" }, href: { type: "string", pattern: "^https?://" } } }),
    { if: { not: { required: ["type"] } }, then: { properties: { value: { type: ["number", "string", "boolean"] } } } },
  ];
}
