import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { descriptorYaml, scorecardYaml, type RuleSpec } from "./helpers/fixtures.js";
import { cleanup, git, makeRepo, runBundleAsync } from "./helpers/repo.js";
import { startBitbucketCloud, startBitbucketDc, startCatalog, type CatalogServer, type CloudServer, type DcServer } from "./servers/index.js";

/**
 * Publishing end to end: the built bundle against loopback stand-ins of Bitbucket Cloud, Data
 * Center and the catalog (the Pipelines auth-proxy route is in e2e-pipelines.test.ts).
 */
const TOKENS = { cloud: "cloud-token-5f2b9c1e", dc: "dc-token-7a1d4e8f", cortex: "cortex-key-3c9e0b7a" };
const SECRETS = Object.values(TOKENS);

let cloud: CloudServer;
let dc: DcServer;
let catalog: CatalogServer;
const outputs: string[] = [];

beforeAll(async () => {
  cloud = await startBitbucketCloud({
    repositories: [{ workspace: "acme", slug: "payments" }],
    auth: { credentials: [{ name: "token", bearer: TOKENS.cloud }] },
  });
  dc = await startBitbucketDc({ repositories: [{ projectKey: "PROJ", slug: "payments", defaultBranch: "main" }], credentials: [{ name: "token", bearer: TOKENS.dc }] });
  catalog = await startCatalog({
    credentials: [{ name: "key", bearer: TOKENS.cortex }],
    entities: [{ tag: "payments", git: { provider: "bitbucket", repository: "acme/payments", repositoryUrl: "https://bitbucket.org/acme/payments" } }],
    scorecards: { "from-catalog": scorecardYaml([{ id: "catalog-rule", expression: 'git.fileExists("README.md")' }], { tag: "from-catalog", name: "From Catalog" }) },
  });
});

afterAll(async () => {
  // No secret in anything any scenario printed or wrote.
  for (const text of outputs) for (const s of SECRETS) expect(text).not.toContain(s);
  await Promise.all([cloud?.close(), dc?.close(), catalog?.close()]);
  cleanup();
});

async function run(repo: string, env: Record<string, string>) {
  const r = await runBundleAsync(repo, { BITBUCKET_REPO_FULL_NAME: "acme/payments", BITBUCKET_COMMIT: git(repo, "rev-parse", "HEAD"), DEBUG: "true", ...env });
  outputs.push(r.stdout, r.stderr);
  if (existsSync(r.outputDir)) for (const f of readdirSync(r.outputDir)) outputs.push(readFileSync(path.join(r.outputDir, f), "utf8"));
  return r;
}

function repoWith(rules: RuleSpec[], files: Record<string, string> = {}) {
  return makeRepo({ "cortex.yaml": descriptorYaml(), ".cortex/scorecards/r.yaml": scorecardYaml(rules), ...files });
}

const failing = (n: number): RuleSpec[] => Array.from({ length: n }, (_, i) => ({ id: `missing-${i}`, expression: `git.fileExists("missing/${i}.txt")` }));

describe("Code Insights on Bitbucket Cloud", () => {
  it("posts 1,000 annotations in batches of ≤ 100 for 2,500 failing rules, counts the rest, and re-runs to the same state", async () => {
    const repo = repoWith(failing(2500));
    const commit = git(repo, "rev-parse", "HEAD");
    const env = { BITBUCKET_ACCESS_TOKEN: TOKENS.cloud, BITBUCKET_API_URL: cloud.apiUrl };
    const before = cloud.requests.length;
    const first = await run(repo, env);
    expect(first.code).toBe(1);
    const posted = cloud.requests.slice(before).filter((q) => q.method === "POST" && q.path.endsWith("/annotations"));
    expect(posted.every((q) => Array.isArray(q.body) && (q.body as unknown[]).length <= 100)).toBe(true);
    expect(cloud.state.annotations("acme/payments", commit, "catalog-scorecard")).toHaveLength(1000);
    const report = cloud.state.report("acme/payments", commit, "catalog-scorecard")!;
    // 2,500 failing rules plus the descriptor/scorecard warnings: everything past 1,000 is counted.
    const warnings = first.report!.diagnostics.filter((d) => d.severity !== "info").length;
    expect(String(report.body.details)).toContain(`${2500 + warnings - 1000} more findings not shown`);
    expect(first.report!.publish).toContainEqual(expect.objectContaining({ target: "code-insights", status: "posted" }));
    const state = cloud.state.snapshot();
    await run(repo, env);
    expect(cloud.state.snapshot()).toEqual(state);
  }, 120_000);

  it("rides out a 429 storm within the retry budget", async () => {
    const repo = repoWith([{ id: "readme", expression: 'git.fileExists("README.md")' }], { "README.md": "x" });
    cloud.faults.rateLimit(4, 1);
    const r = await run(repo, { BITBUCKET_ACCESS_TOKEN: TOKENS.cloud, BITBUCKET_API_URL: cloud.apiUrl });
    expect(r.code).toBe(0);
    expect(r.report!.publish).toContainEqual(expect.objectContaining({ target: "code-insights", status: "posted" }));
    expect(cloud.faults.pending()).toBe(0);
  }, 60_000);

  it("explains a refused token with the variable to fix, exit 3 when the gate passed", async () => {
    const repo = repoWith([{ id: "readme", expression: 'git.fileExists("README.md")' }], { "README.md": "x" });
    const r = await run(repo, { BITBUCKET_ACCESS_TOKEN: "wrong-token-123456", BITBUCKET_API_URL: cloud.apiUrl });
    expect(r.code).toBe(3);
    const d = r.report!.diagnostics.find((x) => x.code === "PUBLISH_FAILED")!;
    expect(d.message).toContain("(401)");
    expect(d.hint).toContain("BITBUCKET_ACCESS_TOKEN");
    expect(r.stdout + r.stderr).not.toContain("wrong-token-123456");
  });

  it("keeps exit 1 when the gate fails and publishing fails too", async () => {
    const repo = repoWith(failing(1));
    const r = await run(repo, { BITBUCKET_ACCESS_TOKEN: TOKENS.cloud, BITBUCKET_API_URL: "http://127.0.0.1:9/2.0" });
    expect(r.code).toBe(1);
    expect(r.report!.diagnostics.some((d) => d.code === "PUBLISH_FAILED")).toBe(true);
  }, 120_000);
});

describe("Code Insights on Data Center", () => {
  it("posts Data Center shapes, replacing the report on re-runs", async () => {
    const repo = repoWith(failing(3));
    const commit = git(repo, "rev-parse", "HEAD");
    const env = { BITBUCKET_SERVER_URL: dc.url, BITBUCKET_ACCESS_TOKEN: TOKENS.dc, BITBUCKET_REPO_FULL_NAME: "PROJ/payments" };
    const first = await run(repo, env);
    expect(first.report!.publish).toContainEqual(expect.objectContaining({ target: "code-insights", status: "posted" }));
    const stored = dc.state.annotations("PROJ/payments", commit, "catalog-scorecard");
    expect(stored.length).toBeGreaterThanOrEqual(3);
    await run(repo, env);
    expect(dc.state.annotations("PROJ/payments", commit, "catalog-scorecard")).toHaveLength(stored.length);
  });
});

describe("the catalog", () => {
  it("posts default-branch results as custom data on a push to the default branch's head", async () => {
    const repo = repoWith([{ id: "readme", expression: 'git.fileExists("README.md")' }], { "README.md": "x" });
    const r = await run(repo, { CORTEX_API_KEY: TOKENS.cortex, CORTEX_API_URL: catalog.url, SCORECARD_TAGS: "from-catalog", CODE_INSIGHTS: "false" });
    expect(r.code).toBe(0);
    const value = catalog.state.value("payments", "ci-scorecard") as Record<string, unknown>;
    expect(value).toMatchObject({ branch: "main", commit: git(repo, "rev-parse", "HEAD"), descriptorValid: true });
    expect((value.scorecards as { tag: string }[]).map((s) => s.tag).sort()).toEqual(["from-catalog", "readiness"]);
  });

  it("does not post from a commit that is not the default branch's head (CATALOG_PUBLISH=auto)", async () => {
    const repo = repoWith([{ id: "readme", expression: 'git.fileExists("README.md")' }]);
    git(repo, "checkout", "-q", "-b", "feature");
    git(repo, "commit", "-q", "--allow-empty", "-m", "wip");
    const r = await run(repo, { CORTEX_API_KEY: TOKENS.cortex, CORTEX_API_URL: catalog.url, CODE_INSIGHTS: "false" });
    expect(r.report!.publish).toContainEqual(expect.objectContaining({ target: "catalog", status: "skipped", detail: expect.stringContaining("not the head of main") }));
  });

  it("reports drift between the catalog's git details and the descriptor", async () => {
    const repo = makeRepo({ "cortex.yaml": descriptorYaml({ basepath: "svc" }), "svc/a.ts": "x" });
    const r = await run(repo, { CORTEX_API_KEY: TOKENS.cortex, CORTEX_API_URL: catalog.url, CODE_INSIGHTS: "false", CATALOG_PUBLISH: "never" });
    expect(r.report!.diagnostics).toContainEqual(expect.objectContaining({ code: "CATALOG_DRIFT", message: expect.stringContaining("basepath") }));
  });

  it("catalog down: the publish fails with PUBLISH_FAILED, local results stand, exit 3", async () => {
    const repo = repoWith([{ id: "readme", expression: 'git.fileExists("README.md")' }], { "README.md": "x" });
    const r = await run(repo, { CORTEX_API_KEY: TOKENS.cortex, CORTEX_API_URL: "http://127.0.0.1:9", CODE_INSIGHTS: "false" });
    expect(r.code).toBe(3);
    expect(r.report!.entities[0]!.scorecards[0]!.rules[0]!.commit.outcome).toBe("pass");
    expect(r.report!.diagnostics.map((d) => d.code)).toEqual(expect.arrayContaining(["CATALOG_UNREACHABLE", "PUBLISH_FAILED"]));
  }, 180_000);
});

describe("secrets echoed back by a hostile server", () => {
  it("never reach report.json, summary.md, JUnit, the log or the annotations posted to Bitbucket — in any spelling", async () => {
    const { createServer } = await import("node:http");
    const echo = createServer((req, res) => res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `bad credentials: ${req.headers.authorization}` } })));
    await new Promise<void>((r) => echo.listen(0, "127.0.0.1", r));
    const echoUrl = `http://127.0.0.1:${(echo.address() as { port: number }).port}`;
    try {
      const repo = repoWith([{ id: "readme", expression: 'git.fileExists("README.md")' }], { "README.md": "x" });
      const junit = path.join(path.dirname((await run(repo, { CODE_INSIGHTS: "false" })).outputDir), "junit.xml");
      const bearer = await run(repo, { CORTEX_API_KEY: TOKENS.cortex, CORTEX_API_URL: echoUrl, CATALOG_PUBLISH: "always", BITBUCKET_ACCESS_TOKEN: TOKENS.cloud, BITBUCKET_API_URL: cloud.apiUrl, JUNIT_FILE: junit });
      expect(bearer.report!.diagnostics.some((d) => d.message.includes("bad credentials: Bearer ***"))).toBe(true);
      const annotations = JSON.stringify(cloud.state.annotations("acme/payments", git(repo, "rev-parse", "HEAD"), "catalog-scorecard"));
      expect(annotations).toContain("Bearer ***");
      expect(annotations).not.toContain(TOKENS.cortex);
      outputs.push(readFileSync(junit, "utf8"), annotations);
      const basicToken = "basic-token-0f9e8d7c";
      const basic = await run(repo, { BITBUCKET_USERNAME: "bob", BITBUCKET_API_TOKEN: basicToken, BITBUCKET_API_URL: `${echoUrl}/2.0` });
      const all = [basic.stdout, basic.stderr, JSON.stringify(basic.report)].join("\n");
      expect(all).toContain("bad credentials: Basic ***");
      expect(all).not.toContain(basicToken);
      expect(all).not.toContain(Buffer.from(`bob:${basicToken}`).toString("base64"));
    } finally {
      echo.close();
    }
  });
});

describe("HTTP(S)_PROXY", () => {
  it("routes catalog calls through the proxy from the environment, and honours NO_PROXY", async () => {
    const { startProxy } = await import("./servers/index.js");
    const proxy = await startProxy({ routes: { "catalog.example": catalog.url } });
    try {
      const repo = repoWith([{ id: "readme", expression: 'git.fileExists("README.md")' }], { "README.md": "x" });
      // catalog.example resolves nowhere: only the proxy can reach it.
      const r = await run(repo, { HTTP_PROXY: proxy.url, CORTEX_API_KEY: TOKENS.cortex, CORTEX_API_URL: "http://catalog.example", CODE_INSIGHTS: "false" });
      expect(r.code).toBe(0);
      expect(r.report!.publish).toContainEqual(expect.objectContaining({ target: "catalog", status: "posted" }));
      expect(proxy.records.some((x) => x.target.startsWith("http://catalog.example/api/v1/catalog/payments/custom-data"))).toBe(true);
      const before = proxy.records.length;
      const direct = await run(repo, { HTTP_PROXY: proxy.url, NO_PROXY: "127.0.0.1", CORTEX_API_KEY: TOKENS.cortex, CORTEX_API_URL: catalog.url, CODE_INSIGHTS: "false" });
      expect(direct.code).toBe(0);
      expect(proxy.records.length).toBe(before);
    } finally {
      await proxy.close();
    }
  });
});

describe("DRY_RUN", () => {
  it("computes everything, writes the payloads, sends nothing", async () => {
    const repo = repoWith(failing(2));
    const before = { cloud: cloud.requests.length, catalog: catalog.requests.length };
    const r = await run(repo, { DRY_RUN: "true", BITBUCKET_ACCESS_TOKEN: TOKENS.cloud, BITBUCKET_API_URL: cloud.apiUrl, CORTEX_API_KEY: TOKENS.cortex, CORTEX_API_URL: catalog.url });
    expect(cloud.requests.length).toBe(before.cloud);
    expect(catalog.requests.slice(before.catalog).filter((q) => q.method === "POST" && !q.path.includes("open-api"))).toEqual([]);
    expect(existsSync(path.join(r.outputDir, "insights-report.json"))).toBe(true);
    const annotations = JSON.parse(readFileSync(path.join(r.outputDir, "insights-annotations.json"), "utf8")) as { summary: string }[];
    expect(annotations.filter((a) => a.summary.includes("missing-"))).toHaveLength(2);
    expect(r.report!.publish).toContainEqual(expect.objectContaining({ target: "code-insights", status: "dry-run" }));
  });
});

