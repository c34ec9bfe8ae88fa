import { existsSync, readFileSync } from "node:fs";
import { Agent, fetch, ProxyAgent, type Dispatcher } from "undici";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { authorizationHeader } from "./servers/auth.js";
import { type CloudServer, PIPELINES_PROXY_PRINCIPAL, startBitbucketCloud } from "./servers/bitbucket-cloud.js";
import { type DcServer, startBitbucketDc } from "./servers/bitbucket-dc.js";
import { type CatalogServer, startCatalog } from "./servers/catalog.js";
import { type ProxyServer, startProxy } from "./servers/proxy.js";
import { copySchemas, FIXTURE_DIR, loadFixture, SchemaSet } from "./servers/schemas.js";
import { createTestCertificate, type TestCertificate } from "./servers/tls.js";

/** The stand-ins themselves: they must accept what the platforms accept and reject what they reject. */

const TOKEN = "cloud-test-token-7f3a";
const PROXY_AUTH = "Bearer pipelines-proxy-token-91c2";
const DC_TOKEN = "dc-test-token-33b1";
const CATALOG_KEY = "catalog-test-key-5d0e";
const COMMIT = "0123456789abcdef0123456789abcdef01234567";

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: unknown;
}

async function call(url: string, init: { method?: string; body?: unknown; raw?: string; auth?: string; headers?: Record<string, string>; dispatcher?: Dispatcher } = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.auth) headers["authorization"] = init.auth;
  let body: string | undefined = init.raw;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(url, { method: init.method ?? "GET", headers, body, ...(init.dispatcher ? { dispatcher: init.dispatcher } : {}) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * The vendors' own response schemas: what the stand-ins send must fit them. One fix only: both
 * Bitbucket specs type a data field's `value` as an object, against their own tables of value
 * types (numbers, booleans, strings); the servers' schema patches explain it.
 */
function responseSchemas(file: string, dataSchema?: string): SchemaSet {
  const schemas = copySchemas(loadFixture(file));
  const data = dataSchema ? schemas[dataSchema] : undefined;
  if (data) (data["properties"] as Record<string, unknown>)["value"] = {};
  return new SchemaSet(`${file}-responses`, schemas);
}
const responses = {
  cloud: responseSchemas("bitbucket-cloud.schemas.json", "report_data"),
  dc: responseSchemas("bitbucket-dc.schemas.json", "RestInsightReportData"),
  cortex: responseSchemas("cortex.schemas.json"),
};
function conforms(set: SchemaSet, name: string, value: unknown): void {
  const validate = set.validator(name);
  expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
}

const REPORT = {
  title: "Catalog scorecard",
  details: "3 of 5 rules pass on this commit",
  report_type: "BUG",
  result: "FAILED",
  reporter: "catalog-scorecard-pipe",
  link: "https://example.com/pipelines/42",
  data: [
    { title: "Score", type: "PERCENTAGE", value: 60 },
    { title: "Level", type: "TEXT", value: "Bronze" },
    { title: "Pipeline", type: "LINK", value: { text: "#42", href: "https://example.com/42" } },
    { title: "Descriptor valid", type: "BOOLEAN", value: true },
    { title: "Evaluated", type: "DATE", value: 1_700_000_000_000 },
    { title: "Took", type: "DURATION", value: 1234 },
    { title: "Rules", type: "NUMBER", value: 5 },
    { title: "Untyped", value: "plain" },
  ],
};
const annotation = (i: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  external_id: `cs-${i}`,
  annotation_type: "CODE_SMELL",
  summary: `finding ${i}`,
  severity: "HIGH",
  result: "FAILED",
  path: "cortex.yaml",
  line: i + 1,
  ...extra,
});

describe("fixtures", () => {
  const specs = new URL("../../shared/specs/", import.meta.url);
  it.skipIf(!existsSync(specs))("are verbatim copies of the official OpenAPI schemas", () => {
    for (const file of ["bitbucket-cloud.schemas.json", "bitbucket-dc.schemas.json", "cortex.schemas.json", "cortex-2025-10-27.schemas.json"]) {
      const fixture = loadFixture(file);
      const spec = JSON.parse(readFileSync(new URL(fixture.source, specs), "utf8")) as { components: { schemas: Record<string, unknown> } };
      for (const [name, schema] of Object.entries(fixture.components.schemas)) expect(schema, `${file} ${name}`).toEqual(spec.components.schemas[name]);
    }
    expect(existsSync(new URL("bitbucket-cloud.schemas.json", FIXTURE_DIR))).toBe(true);
  });
});

describe("Bitbucket Cloud stand-in", () => {
  let cloud: CloudServer;
  const reportUrl = (id = "catalog-scorecard", repo = "acme/payments") => `${cloud.apiUrl}/repositories/${repo}/commit/${COMMIT}/reports/${id}`;
  const put = (body: unknown, auth = `Bearer ${TOKEN}`) => call(reportUrl(), { method: "PUT", body, auth });
  const post = (body: unknown, id = "catalog-scorecard") => call(`${reportUrl(id)}/annotations`, { method: "POST", body, auth: `Bearer ${TOKEN}` });
  const del = () => call(reportUrl(), { method: "DELETE", auth: `Bearer ${TOKEN}` });

  beforeAll(async () => {
    cloud = await startBitbucketCloud({
      repositories: [{ workspace: "acme", slug: "payments", mainbranch: "main" }],
      auth: {
        credentials: [
          { name: "access-token", bearer: TOKEN },
          { name: "api-token", basic: { username: "bot@example.com", password: "api-token-x" } },
          { name: "read-only", bearer: "read-only-token", readOnly: true },
        ],
      },
    });
  });
  afterAll(() => cloud.close());
  afterEach(() => {
    cloud.state.commits.clear();
    cloud.faults.clear();
  });

  it("accepts a valid report, answers in the response schema, and serves it back", async () => {
    const res = await put(REPORT);
    expect(res.status).toBe(200);
    conforms(responses.cloud, "report", res.json);
    expect(res.json).toMatchObject({ type: "report", external_id: "catalog-scorecard", title: REPORT.title });
    const got = await call(reportUrl(), { auth: `Bearer ${TOKEN}` });
    expect(got.json).toEqual(res.json);
    expect(cloud.requests.at(-1)).toMatchObject({ method: "GET", auth: { scheme: "bearer", principal: "access-token" }, headers: { authorization: "***" } });
  });

  it.each([
    ["an unknown result", { result: "SUCCESS" }, "result"],
    ["an unknown report_type", { report_type: "QUALITY" }, "report_type"],
    ["an unknown data type", { data: [{ title: "x", type: "STRING", value: "y" }] }, "data[0].type"],
    ["more than 10 data fields", { data: Array.from({ length: 11 }, (_, i) => ({ title: `d${i}`, type: "NUMBER", value: i })) }, "data"],
    ["a PERCENTAGE over 100", { data: [{ title: "p", type: "PERCENTAGE", value: 100.5 }] }, "data[0].value"],
    ["a PERCENTAGE under 0", { data: [{ title: "p", type: "PERCENTAGE", value: -1 }] }, "data[0].value"],
    ["a LINK in Data Center's shape", { data: [{ title: "l", type: "LINK", value: { linktext: "x", href: "https://e.com" } }] }, "data[0].value.text"],
    ["an object without a type", { data: [{ title: "o", value: { a: 1 } }] }, "data[0].value"],
    ["a data field without a value", { data: [{ title: "v", type: "NUMBER" }] }, "data[0].value"],
    ["no title", { title: undefined }, "title"],
    ["a link that is not a URI", { link: "not a url" }, "link"],
  ])("rejects a report with %s (400, Cloud's error shape)", async (_what, change, field) => {
    const res = await put({ ...REPORT, ...change });
    expect(res.status).toBe(400);
    const { fields, ...error } = (res.json as { error: { fields: Record<string, string[]> } }).error;
    // `fields` is what the live API adds (FACTS.md); the spec's `error` schema does not list it.
    conforms(responses.cloud, "error", { type: "error", error });
    expect(error).toMatchObject({ message: expect.stringContaining("Bad request") });
    expect(Object.keys(fields)).toContain(field);
    expect(cloud.state.report("acme/payments", COMMIT, "catalog-scorecard")).toBeUndefined();
  });

  it("rejects a body that is not JSON, and unknown repositories and routes", async () => {
    expect((await call(reportUrl(), { method: "PUT", raw: "{nope", auth: `Bearer ${TOKEN}`, headers: { "content-type": "application/json" } })).status).toBe(400);
    const repo = await call(reportUrl("r", "acme/nope"), { method: "PUT", body: REPORT, auth: `Bearer ${TOKEN}` });
    expect(repo).toMatchObject({ status: 404, json: { type: "error", error: { message: expect.stringContaining("acme/nope") } } });
    expect((await call(`${cloud.apiUrl}/nowhere`, { auth: `Bearer ${TOKEN}` })).json).toMatchObject({ error: { message: "Resource not found" } });
  });

  it("requires credentials: 401 without or with a wrong one, 403 for a read-only token on a write", async () => {
    expect((await put(REPORT, "")).status).toBe(401);
    expect((await put(REPORT, "Bearer wrong")).status).toBe(401);
    expect((await put(REPORT, "Bearer read-only-token")).status).toBe(403);
    const basic = authorizationHeader({ name: "b", basic: { username: "bot@example.com", password: "api-token-x" } });
    expect((await put(REPORT, basic)).status).toBe(200);
    expect(cloud.requests.at(-1)?.auth).toEqual({ scheme: "basic", principal: "api-token", readOnly: false });
  });

  it.each([
    ["an empty summary", { summary: "" }],
    ["no summary", { summary: undefined }],
    ["a summary over 450 characters", { summary: "x".repeat(451) }],
    ["an unknown annotation_type", { annotation_type: "STYLE" }],
    ["an unknown severity", { severity: "BLOCKER" }],
    ["an unknown result", { result: "FAIL" }],
    ["line 0", { line: 0 }],
  ])("rejects an annotation with %s", async (_what, change) => {
    await put(REPORT);
    const res = await post([annotation(1), annotation(2, change)]);
    expect(res.status).toBe(400);
    expect(Object.keys((res.json as { error: { fields: object } }).error.fields)[0]).toMatch(/^\[1\]/);
    expect(cloud.state.annotations("acme/payments", COMMIT, "catalog-scorecard")).toHaveLength(0);
  });

  it("accepts 1–100 annotations per request and rejects 0 or 101 whole", async () => {
    await put(REPORT);
    expect((await post([])).status).toBe(400);
    expect((await post(Array.from({ length: 101 }, (_, i) => annotation(i)))).status).toBe(400);
    const ok = await post(Array.from({ length: 100 }, (_, i) => annotation(i)));
    expect(ok.status).toBe(200);
    conforms(responses.cloud, "report_annotation", (ok.json as unknown[])[0]);
    expect(cloud.state.annotations("acme/payments", COMMIT, "catalog-scorecard")).toHaveLength(100);
  });

  it("holds at most 1000 annotations per report; re-posting an external_id updates it", async () => {
    await put(REPORT);
    for (let b = 0; b < 10; b++) expect((await post(Array.from({ length: 100 }, (_, i) => annotation(b * 100 + i)))).status).toBe(200);
    const over = await post([annotation(1000)]);
    expect(over.status).toBe(400);
    expect((over.json as { error: { message: string } }).error.message).toContain("1000");
    expect((await post([annotation(5, { summary: "updated" })])).status).toBe(200);
    const stored = cloud.state.annotations("acme/payments", COMMIT, "catalog-scorecard");
    expect(stored).toHaveLength(1000);
    expect(stored[5]).toMatchObject({ external_id: "cs-5", summary: "updated" });
  });

  it("404s annotations for a report that does not exist", async () => {
    expect((await post([annotation(1)], "missing")).status).toBe(404);
  });

  it("keeps annotations when a report is replaced, drops them with DELETE; delete-then-put is repeatable", async () => {
    const run = async (ids: number[]) => {
      const d = await del();
      expect([204, 404]).toContain(d.status);
      expect((await put(REPORT)).status).toBe(200);
      expect((await post(ids.map((i) => annotation(i)))).status).toBe(200);
    };
    await put(REPORT);
    await post([annotation(90)]);
    await put(REPORT); // a plain replace leaves the stale annotation in place
    expect(cloud.state.annotations("acme/payments", COMMIT, "catalog-scorecard")).toHaveLength(1);
    await run([1, 2, 3]);
    const first = cloud.state.snapshot();
    await run([1, 2, 3]);
    expect(cloud.state.snapshot()).toEqual(first);
    expect(cloud.state.annotations("acme/payments", COMMIT, "catalog-scorecard").map((a) => a["external_id"])).toEqual(["cs-1", "cs-2", "cs-3"]);
  });

  it("pages annotation lists like Cloud (pagelen, page, next)", async () => {
    await put(REPORT);
    await post(Array.from({ length: 25 }, (_, i) => annotation(i)));
    const first = await call(`${reportUrl()}/annotations`, { auth: `Bearer ${TOKEN}` });
    conforms(responses.cloud, "paginated_annotations", first.json);
    expect(first.json).toMatchObject({ page: 1, pagelen: 10, size: 25, next: expect.stringContaining("page=2") });
    const last = await call(`${reportUrl()}/annotations?page=3&pagelen=10`, { auth: `Bearer ${TOKEN}` });
    expect((last.json as { values: unknown[]; next?: string }).values).toHaveLength(5);
    expect((last.json as { next?: string }).next).toBeUndefined();
  });

  it("serves mainbranch on the repository", async () => {
    expect((await call(`${cloud.apiUrl}/repositories/acme/payments`, { auth: `Bearer ${TOKEN}` })).json).toMatchObject({ mainbranch: { name: "main" } });
  });
});

describe("Bitbucket Data Center stand-in", () => {
  let dc: DcServer;
  const base = (commit = COMMIT) => `${dc.url}/rest/insights/1.0/projects/ACME/repos/payments/commits/${commit}/reports`;
  const auth = `Bearer ${DC_TOKEN}`;
  const DC_REPORT = {
    title: "Catalog scorecard",
    details: "3 of 5 rules pass",
    result: "FAIL",
    reporter: "catalog-scorecard-pipe",
    link: "https://example.com/42",
    data: [
      { title: "Score", type: "PERCENTAGE", value: 60 },
      { title: "Pipeline", type: "LINK", value: { linktext: "#42", href: "https://example.com/42" } },
    ],
  };
  const dcAnnotation = (i: number, extra: Record<string, unknown> = {}) => ({ externalId: `cs-${i}`, message: `finding ${i}`, severity: "HIGH", type: "CODE_SMELL", path: "cortex.yaml", line: i, ...extra });
  const put = (body: unknown, key = "catalog-scorecard", commit = COMMIT, token = auth) => call(`${base(commit)}/${key}`, { method: "PUT", body, auth: token });
  const post = (annotations: unknown[]) => call(`${base()}/catalog-scorecard/annotations`, { method: "POST", body: { annotations }, auth });

  beforeAll(async () => {
    dc = await startBitbucketDc({
      repositories: [{ projectKey: "ACME", slug: "payments", defaultBranch: "main", latestCommit: COMMIT }],
      credentials: [
        { name: "ci", bearer: DC_TOKEN },
        { name: "someone-else", bearer: "other-token" },
      ],
      maxAnnotationsPerReport: 1000,
    });
  });
  afterAll(() => dc.close());
  afterEach(() => dc.state.commits.clear());

  it("accepts a valid report and annotations (204), and serves them back", async () => {
    const res = await put(DC_REPORT);
    expect(res.status).toBe(200);
    conforms(responses.dc, "RestInsightReport", res.json);
    expect((await post([dcAnnotation(1), dcAnnotation(2, { line: 0, path: undefined })])).status).toBe(204);
    const list = await call(`${base()}/catalog-scorecard/annotations`, { auth });
    conforms(responses.dc, "RestInsightAnnotationsResponse", list.json);
    expect((list.json as { annotations: unknown[] }).annotations).toHaveLength(2);
  });

  it.each([
    ["result PASSED (Cloud's enum)", { result: "PASSED" }, "result"],
    ["7 data fields", { data: Array.from({ length: 7 }, (_, i) => ({ title: `d${i}`, type: "NUMBER", value: i })) }, "data"],
    ["no data", { data: undefined }, "data"],
    ["a 451-character title", { title: "t".repeat(451) }, "title"],
    ["2001-character details", { details: "d".repeat(2001) }, "details"],
    ["a LINK in Cloud's shape", { data: [{ title: "l", type: "LINK", value: { text: "x", href: "https://e.com" } }] }, "data[0].value.linktext"],
    ["a data field without a value", { data: [{ title: "v", type: "NUMBER" }] }, "data[0].value"],
    ["a snake_case field", { logo_url: "https://e.com/logo.png" }, "logo_url"],
    ["a link that is not http(s)", { link: "ftp://e.com" }, "link"],
  ])("rejects a report with %s (400, DC's error shape)", async (_what, change, field) => {
    const res = await put({ ...DC_REPORT, ...change });
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ errors: expect.arrayContaining([expect.objectContaining({ context: field })]) });
  });

  it.each([
    ["severity CRITICAL", { severity: "CRITICAL" }],
    ["severity HIGHEST (Java patterns match whole strings)", { severity: "HIGHEST" }],
    ["no message", { message: undefined }],
    ["a 2001-character message", { message: "m".repeat(2001) }],
    ["Cloud's field names", { message: undefined, summary: "x", annotation_type: "BUG" }],
    ["a negative line", { line: -1 }],
  ])("rejects an annotation with %s", async (_what, change) => {
    await put(DC_REPORT);
    expect((await post([dcAnnotation(1, change)])).status).toBe(400);
    expect(dc.state.annotations("ACME/payments", COMMIT, "catalog-scorecard")).toHaveLength(0);
  });

  it("checks the key (≤ 50), the commit (40 hex) and the token", async () => {
    expect((await put(DC_REPORT, "k".repeat(51))).status).toBe(400);
    expect((await put(DC_REPORT, "k".repeat(50))).status).toBe(200);
    expect((await put(DC_REPORT, "r", COMMIT.slice(0, 12))).json).toMatchObject({ errors: [{ context: "commitId" }] });
    expect((await put(DC_REPORT, "r", COMMIT, "")).status).toBe(401);
    expect((await put(DC_REPORT, "r", COMMIT, "Bearer nope")).json).toMatchObject({ errors: [{ message: expect.stringContaining("Authentication failed") }] });
    expect((await call(`${dc.url}/rest/insights/1.0/projects/NOPE/repos/x/commits/${COMMIT}/reports/r`, { auth })).status).toBe(404);
  });

  it("lets only the creator replace a report", async () => {
    await put(DC_REPORT);
    expect((await put(DC_REPORT, "catalog-scorecard", COMMIT, "Bearer other-token")).status).toBe(401);
  });

  it("rejects an over-limit request whole, does not de-duplicate, and DELETE clears annotations", async () => {
    await put(DC_REPORT);
    for (let b = 0; b < 9; b++) await post(Array.from({ length: 111 }, (_, i) => dcAnnotation(b * 111 + i)));
    expect(dc.state.annotations("ACME/payments", COMMIT, "catalog-scorecard")).toHaveLength(999);
    expect((await post([dcAnnotation(1), dcAnnotation(2)])).status).toBe(400);
    expect(dc.state.annotations("ACME/payments", COMMIT, "catalog-scorecard")).toHaveLength(999);
    expect((await post([dcAnnotation(1)])).status).toBe(204);
    expect(dc.state.annotations("ACME/payments", COMMIT, "catalog-scorecard").filter((a) => a["externalId"] === "cs-1")).toHaveLength(2);
    expect((await call(`${base()}/catalog-scorecard/annotations?externalId=cs-1`, { method: "DELETE", auth })).status).toBe(204);
    expect(dc.state.annotations("ACME/payments", COMMIT, "catalog-scorecard")).toHaveLength(998);
    expect((await call(`${base()}/catalog-scorecard/annotations`, { method: "DELETE", auth })).status).toBe(204);
    expect(dc.state.annotations("ACME/payments", COMMIT, "catalog-scorecard")).toHaveLength(0);
    expect((await call(`${base()}/catalog-scorecard`, { method: "DELETE", auth })).status).toBe(204);
    expect(dc.state.snapshot()).toEqual({});
  });

  it("serves the default branch", async () => {
    const res = await call(`${dc.url}/rest/api/latest/projects/ACME/repos/payments/default-branch`, { auth });
    conforms(responses.dc, "RestMinimalRef", res.json);
    expect(res.json).toMatchObject({ id: "refs/heads/main", displayId: "main", latestCommit: COMMIT });
  });
});

describe("catalog stand-in", () => {
  let catalog: CatalogServer;
  const auth = `Bearer ${CATALOG_KEY}`;
  const customData = (tag: string, body: unknown, query = "") => call(`${catalog.url}/api/v1/catalog/${encodeURIComponent(tag)}/custom-data${query}`, { method: "POST", body, auth });

  beforeAll(async () => {
    catalog = await startCatalog({
      credentials: [{ name: "api-key", bearer: CATALOG_KEY }],
      entities: [
        { tag: "payments", git: { provider: "bitbucket", repository: "acme/payments", repositoryUrl: "https://bitbucket.org/acme/payments", alias: "acme", basepath: "services/payments" } },
        { tag: "@scope/name", yamlCustomData: { owner: "team-a" } },
      ],
      scorecards: { readiness: "tag: readiness\nname: Readiness\nrules: []\n" },
    });
  });
  afterAll(() => catalog.close());

  it("requires the API key (401 in the ErrorResponse shape)", async () => {
    for (const a of [undefined, "Bearer wrong"]) {
      const res = await call(`${catalog.url}/api/v1/catalog/payments`, a ? { auth: a } : {});
      expect(res.status).toBe(401);
      conforms(responses.cortex, "ErrorResponse", res.json);
    }
  });

  it("stores the latest custom data per key, under the percent-decoded tag", async () => {
    const first = await customData("@scope/name", { key: "ci-scorecard", value: { score: 1 }, description: "CI" });
    expect(first.status).toBe(200);
    conforms(responses.cortex, "CustomData", first.json);
    expect(catalog.requests.at(-1)?.path).toBe("/api/v1/catalog/%40scope%2Fname/custom-data");
    await customData("@scope/name", { key: "ci-scorecard", value: { score: 2 } });
    expect(catalog.state.value("@scope/name", "ci-scorecard")).toEqual({ score: 2 });
    const list = await call(`${catalog.url}/api/v1/catalog/%40scope%2Fname/custom-data`, { auth });
    expect((list.json as { key: string }[]).map((d) => d.key)).toEqual(["owner", "ci-scorecard"]);
  });

  it("rejects bad custom data, unknown tags, and descriptor-defined keys without force", async () => {
    expect((await customData("nope", { key: "k", value: 1 })).status).toBe(404);
    expect((await customData("payments", { value: 1 })).status).toBe(400);
    expect((await customData("payments", { key: "k", value: null })).status).toBe(400);
    const text = await call(`${catalog.url}/api/v1/catalog/payments/custom-data`, { method: "POST", raw: '{"key":"k","value":1}', auth, headers: { "content-type": "text/plain" } });
    expect(text.status).toBe(415);
    expect((await customData("@scope/name", { key: "owner", value: "x" })).status).toBe(409);
    expect((await customData("@scope/name", { key: "owner", value: "x" }, "?force=true")).status).toBe(200);
  });

  it("returns the entity with its git details", async () => {
    const res = await call(`${catalog.url}/api/v1/catalog/payments`, { auth });
    conforms(responses.cortex, "DetailsResponse", res.json);
    expect(res.json).toMatchObject({ tag: "payments", git: { provider: "bitbucket", repository: "acme/payments", alias: "acme", basepath: "services/payments" } });
  });

  it("dry-runs descriptors: ok, or 400 with violations that carry lines", async () => {
    const dry = (yaml: string, type = "application/openapi;charset=UTF-8") => call(`${catalog.url}/api/v1/open-api?dryRun=true`, { method: "POST", raw: yaml, auth, headers: { "content-type": type } });
    const ok = await dry("openapi: 3.0.1\ninfo:\n  title: P\n  x-cortex-tag: payments\n");
    expect(ok).toMatchObject({ status: 200, json: { ok: true, violations: [] } });
    const missing = await dry("openapi: 3.0.1\ninfo:\n  title: P\n  x-cortex-type: service\n");
    expect(missing.status).toBe(400);
    conforms(responses.cortex, "OpenApiResponse", missing.json);
    expect(missing.json).toMatchObject({ ok: false, violations: [{ pointer: "/info", startLine: 3, endLine: 4, violationType: "MUST" }] });
    expect((await dry("info: [unclosed\n")).json).toMatchObject({ ok: false, violations: [{ title: "Invalid YAML" }] });
    expect((await dry("openapi: 3.0.1\n", "application/yaml")).status).toBe(415);
    expect(catalog.state.entityWrites).toEqual([]);
  });

  it("lets a test decide dry-run verdicts and the scorecard response format", async () => {
    const custom = await startCatalog({
      credentials: [{ name: "k", bearer: CATALOG_KEY }],
      validateDescriptor: () => ({ violations: [{ title: "Owner", description: "add an owner", pointer: "/info/x-cortex-owners", startLine: 2, endLine: 2, violationType: "SHOULD" }] }),
      scorecards: { readiness: "tag: readiness\n" },
      scorecardDescriptorFormat: "json-string",
    });
    const dry = await call(`${custom.url}/api/v1/open-api?dryRun=true`, { method: "POST", raw: "info: {}\n", auth, headers: { "content-type": "application/openapi;charset=UTF-8" } });
    expect(dry).toMatchObject({ status: 200, json: { ok: true, violations: [{ violationType: "SHOULD", paths: [] }] } });
    const card = await call(`${custom.url}/api/v1/scorecards/readiness/descriptor`, { auth });
    expect(card.json).toBe("tag: readiness\n");
    await custom.close();
  });

  it("serves scorecard descriptors and 404s unknown ones", async () => {
    const res = await call(`${catalog.url}/api/v1/scorecards/readiness/descriptor`, { auth });
    expect(res).toMatchObject({ status: 200, text: expect.stringContaining("tag: readiness") });
    expect((await call(`${catalog.url}/api/v1/scorecards/nope/descriptor`, { auth })).status).toBe(404);
  });
});

describe("fault injection", () => {
  let cloud: CloudServer;
  let catalog: CatalogServer;
  const reportUrl = () => `${cloud.apiUrl}/repositories/acme/payments/commit/${COMMIT}/reports/r`;
  const putReport = (dispatcher?: Dispatcher) => call(reportUrl(), { method: "PUT", body: REPORT, auth: `Bearer ${TOKEN}`, ...(dispatcher ? { dispatcher } : {}) });

  beforeAll(async () => {
    cloud = await startBitbucketCloud({ repositories: [{ workspace: "acme", slug: "payments" }], auth: { credentials: [{ name: "t", bearer: TOKEN }] } });
    catalog = await startCatalog({ credentials: [{ name: "k", bearer: CATALOG_KEY }], entities: [{ tag: "payments" }] });
  });
  afterAll(async () => {
    await Promise.all([cloud.close(), catalog.close()]);
  });
  afterEach(() => {
    for (const s of [cloud, catalog]) s.faults.clear();
    cloud.state.commits.clear();
  });

  it("answers 429 with Retry-After N times, in the platform's error shape, then succeeds", async () => {
    catalog.faults.rateLimit(2, 3, { method: "POST", path: "/custom-data" });
    const post = () => call(`${catalog.url}/api/v1/catalog/payments/custom-data`, { method: "POST", body: { key: "k", value: 1 }, auth: `Bearer ${CATALOG_KEY}` });
    const unrelated = await call(`${catalog.url}/api/v1/catalog/payments`, { auth: `Bearer ${CATALOG_KEY}` });
    expect(unrelated.status).toBe(200); // scoped to the route
    const [a, b, c] = [await post(), await post(), await post()];
    expect([a.status, b.status, c.status]).toEqual([429, 429, 200]);
    expect(a.headers.get("retry-after")).toBe("3");
    expect(a.json).toMatchObject({ type: "UNCATEGORIZED", httpStatus: 429 });
    expect(catalog.requests.slice(-3).map((r) => r.fault)).toEqual(["status", "status", undefined]);
    expect(catalog.state.value("payments", "k")).toBe(1);
  });

  it("starts with configured faults (502 twice on Data Center, in DC's error shape)", async () => {
    const dc = await startBitbucketDc({
      repositories: [{ projectKey: "ACME", slug: "payments", defaultBranch: "main" }],
      credentials: [{ name: "t", bearer: DC_TOKEN }],
      faults: [{ fault: { kind: "status", status: 502 }, times: 2 }],
    });
    const get = () => call(`${dc.url}/rest/api/1.0/projects/ACME/repos/payments/default-branch`, { auth: `Bearer ${DC_TOKEN}` });
    const answers = [await get(), await get(), await get()];
    expect(answers.map((a) => a.status)).toEqual([502, 502, 200]);
    expect(answers[0]?.json).toMatchObject({ errors: [{ message: expect.any(String) }] });
    expect(dc.faults.pending()).toBe(0);
    await dc.close();
  });

  it("can fail after doing the work (503 with processFirst): the retry must be idempotent", async () => {
    cloud.faults.add({ method: "PUT", fault: { kind: "status", status: 503, processFirst: true } });
    expect((await putReport()).status).toBe(503);
    expect(cloud.state.report("acme/payments", COMMIT, "r")).toBeDefined();
  });

  it("delays the response headers", async () => {
    cloud.faults.add({ fault: { kind: "delay", ms: 300 } });
    const t0 = Date.now();
    expect((await putReport()).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
  });

  it("stalls mid-body, so a client body timeout fires", async () => {
    cloud.faults.add({ fault: { kind: "stall", ms: 1500 } });
    const impatient = new Agent({ bodyTimeout: 200 });
    await expect(putReport(impatient)).rejects.toThrow();
    await impatient.close();
    cloud.faults.add({ fault: { kind: "stall", ms: 150 } });
    expect((await putReport()).status).toBe(200); // a patient client gets the whole body
  });

  it("resets the connection, before or after doing the work", async () => {
    cloud.faults.add({ fault: { kind: "reset" } });
    await expect(putReport()).rejects.toThrow();
    expect(cloud.state.report("acme/payments", COMMIT, "r")).toBeUndefined();
    cloud.faults.add({ fault: { kind: "reset", processFirst: true } });
    await expect(putReport()).rejects.toThrow();
    expect(cloud.state.report("acme/payments", COMMIT, "r")).toBeDefined();
    expect(cloud.requests.at(-1)?.status).toBeUndefined();
  });

  it("sends malformed JSON with a 200", async () => {
    cloud.faults.add({ fault: { kind: "malformed-json" } });
    const res = await putReport();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    expect(() => JSON.parse(res.text) as unknown).toThrow();
  });

  it("changes at runtime: rules queue in order, clear() drops them", async () => {
    cloud.faults.add({ fault: { kind: "status", status: 500 } });
    cloud.faults.add({ fault: { kind: "status", status: 504 }, times: Infinity });
    expect([(await putReport()).status, (await putReport()).status, (await putReport()).status]).toEqual([500, 504, 504]);
    cloud.faults.clear();
    expect((await putReport()).status).toBe(200);
  });
});

describe("forward proxy", () => {
  let cloud: CloudServer;
  let tlsCloud: CloudServer;
  let catalog: CatalogServer;
  let proxy: ProxyServer;
  let cert: TestCertificate;
  const insightsPath = `/2.0/repositories/acme/payments/commit/${COMMIT}/reports/r`;

  beforeAll(async () => {
    cert = createTestCertificate();
    const repositories = [{ workspace: "acme", slug: "payments" }];
    cloud = await startBitbucketCloud({ repositories, auth: { pipelinesProxy: { authorization: PROXY_AUTH } } });
    tlsCloud = await startBitbucketCloud({ repositories, auth: { credentials: [{ name: "t", bearer: TOKEN }] }, tls: cert });
    catalog = await startCatalog({ credentials: [{ name: "k", bearer: CATALOG_KEY }], entities: [{ tag: "payments" }] });
    proxy = await startProxy({
      routes: { "api.bitbucket.org:80": cloud.url, "api.bitbucket.org": cloud.url, "api.bitbucket.org:443": tlsCloud.url, "api.getcortexapp.com": catalog.url },
      inject: { authorization: PROXY_AUTH },
    });
  });
  afterAll(async () => {
    await Promise.all([cloud.close(), tlsCloud.close(), catalog.close(), proxy.close()]);
    cert.dispose();
  });

  it("forwards absolute-form requests and injects Authorization for Bitbucket (Pipelines mode)", async () => {
    const agent = new ProxyAgent({ uri: proxy.url, proxyTunnel: false });
    const res = await call(`http://api.bitbucket.org${insightsPath}`, { method: "PUT", body: REPORT, dispatcher: agent });
    expect(res.status).toBe(200);
    expect(proxy.records.at(-1)).toMatchObject({ kind: "forward", method: "PUT", target: `http://api.bitbucket.org${insightsPath}`, injected: true, status: 200 });
    expect(cloud.requests.at(-1)).toMatchObject({ viaProxy: true, auth: { principal: PIPELINES_PROXY_PRINCIPAL }, headers: { host: "api.bitbucket.org" } });
    expect(cloud.state.report("acme/payments", COMMIT, "r")).toBeDefined();
    await agent.close();
  });

  it("does not authorise other REST reads through the proxy (403), nor the proxy's header sent directly (401)", async () => {
    const agent = new ProxyAgent({ uri: proxy.url, proxyTunnel: false });
    expect((await call("http://api.bitbucket.org/2.0/repositories/acme/payments", { dispatcher: agent })).status).toBe(403);
    expect((await call(`${cloud.url}${insightsPath}`, { auth: PROXY_AUTH })).status).toBe(401);
    await agent.close();
  });

  it("never injects Bitbucket's credential into a request for another host", async () => {
    const agent = new ProxyAgent({ uri: proxy.url, proxyTunnel: false });
    const res = await call("http://api.getcortexapp.com/api/v1/catalog/payments", { dispatcher: agent });
    expect(res.status).toBe(401);
    expect(proxy.records.at(-1)).toMatchObject({ injected: false });
    expect(catalog.requests.at(-1)?.auth).toEqual({ scheme: "none" });
    await agent.close();
  });

  it("tunnels CONNECT blindly: undici's default tunnelling to an http target arrives without credentials", async () => {
    const agent = new ProxyAgent({ uri: proxy.url }); // proxyTunnel defaults to true
    const res = await call(`http://api.bitbucket.org${insightsPath}`, { method: "PUT", body: REPORT, dispatcher: agent });
    expect(res.status).toBe(401);
    expect(proxy.records.at(-1)).toMatchObject({ kind: "tunnel", target: "api.bitbucket.org:80", injected: false, status: 200 });
    await agent.close();
  });

  it("tunnels CONNECT to an HTTPS stand-in", async () => {
    const agent = new ProxyAgent({ uri: proxy.url, requestTls: { ca: cert.cert } });
    const res = await call(`https://api.bitbucket.org${insightsPath}`, { method: "PUT", body: REPORT, auth: `Bearer ${TOKEN}`, dispatcher: agent });
    expect(res.status).toBe(200);
    expect(proxy.records.at(-1)).toMatchObject({ kind: "tunnel", target: "api.bitbucket.org:443", routedTo: tlsCloud.url });
    expect(tlsCloud.requests.at(-1)?.auth.principal).toBe("t");
    await agent.close();
  });

  it("refuses hosts it has no route for, and passes a stand-in's reset on", async () => {
    const agent = new ProxyAgent({ uri: proxy.url, proxyTunnel: false });
    expect((await call("http://example.com/", { dispatcher: agent })).status).toBe(502);
    cloud.faults.add({ fault: { kind: "reset" } });
    await expect(call(`http://api.bitbucket.org${insightsPath}`, { dispatcher: agent })).rejects.toThrow();
    await agent.close();
  });
});
