import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { descriptorYaml, scorecardYaml } from "./helpers/fixtures.js";
import { PipelinesWorld, PROXY_PORT, type Scenario, type StepRun } from "./helpers/pipelines.js";
import { advanceBranch, cleanup, makeOrigin } from "./helpers/repo.js";
import { startBitbucketCloud, startBitbucketDc, startCatalog, startProxy, PIPELINES_PROXY_PRINCIPAL, type CatalogServer, type CloudServer, type DcServer, type ProxyServer } from "./servers/index.js";

/**
 * Pipelines, emulated end to end (see helpers/pipelines.ts): every scenario runs as the bundle,
 * and as the real image when .ci/run could build it (CSP_DOCKER_IMAGE).
 */
const image = process.env.CSP_DOCKER_IMAGE;
// Inside real Pipelines, :29418 belongs to the real auth proxy; the emulation cannot run there.
const inRealPipelines = Boolean(process.env.BITBUCKET_BUILD_NUMBER);
const skipReason = process.env.CSP_DOCKER_UNAVAILABLE ?? "CSP_DOCKER_IMAGE is not set (run .ci/run, which builds the image)";
const MODES = ["bundle", "container"] as const;
const SLUGS = ["push", "pr", "mono", "dc", "invalid", "catalog-down"].flatMap((s) => MODES.map((m) => `${s}-${m}`));
const PROXY_TOKEN = "pipelines-proxy-token-4e5f";
const CORTEX_KEY = "cortex-key-in-pipelines-8a7b";
const DC_TOKEN = "dc-token-in-pipelines-1c2d";

let world: PipelinesWorld;
let cloud: CloudServer;
let dc: DcServer;
let catalog: CatalogServer;
let proxy: ProxyServer;
const printed: string[] = [];

beforeAll(async () => {
  if (inRealPipelines) return;
  world = await PipelinesWorld.start();
  cloud = await startBitbucketCloud({ repositories: SLUGS.map((slug) => ({ workspace: "acme", slug })), auth: { pipelinesProxy: { authorization: `Bearer ${PROXY_TOKEN}` } } });
  dc = await startBitbucketDc({ repositories: SLUGS.map((slug) => ({ projectKey: "ACME", slug })), credentials: [{ name: "dc", bearer: DC_TOKEN }] });
  catalog = await startCatalog({ credentials: [{ name: "key", bearer: CORTEX_KEY }], entities: SLUGS.map((slug) => ({ tag: slug, git: { provider: "bitbucket", repository: `acme/${slug}`, repositoryUrl: `https://bitbucket.org/acme/${slug}` } })) });
  proxy = await startProxy({
    port: PROXY_PORT,
    routes: { "bitbucket.org": world.gitServer.url, "api.bitbucket.org": cloud.url },
    inject: { authorization: `Bearer ${PROXY_TOKEN}` },
  }).catch((e: Error) => {
    throw new Error(`the Pipelines auth proxy needs 127.0.0.1:${PROXY_PORT} (as in Pipelines): ${e.message}`);
  });
});

afterAll(async () => {
  for (const text of printed) for (const s of [PROXY_TOKEN, CORTEX_KEY, DC_TOKEN]) expect(text).not.toContain(s);
  await Promise.all([world?.close(), cloud?.close(), dc?.close(), catalog?.close(), proxy?.close()]);
  cleanup();
});

const README_SCORECARD = scorecardYaml([
  { id: "has-readme", expression: 'git.fileExists("README.md")' },
  { id: "has-changelog", expression: 'git.fileExists("CHANGELOG.md")' },
  { id: "deploys", expression: 'deploys(lookback = duration("P7D")).length > 0', level: "Silver" },
]);

function single(slug: string, base: Record<string, string | null>, feature: Record<string, string | null> = {}) {
  return makeOrigin({ "cortex.yaml": descriptorYaml({ tag: slug, repository: `acme/${slug}` }), ".cortex/scorecards/readiness.yaml": README_SCORECARD, ...base } as Record<string, string>, feature as Record<string, string>);
}

async function step(mode: (typeof MODES)[number], s: Scenario): Promise<StepRun> {
  const r = mode === "bundle" ? await world.runBundle(s) : await world.runContainer(s, image!);
  printed.push(r.stdout, r.stderr, JSON.stringify(r.report ?? {}));
  return r;
}

for (const mode of MODES) {
  const why = inRealPipelines ? "inside real Pipelines, whose auth proxy owns :29418" : mode === "container" && !image ? skipReason : undefined;
  describe.skipIf(why !== undefined)(`a Pipelines pipe step, as the ${mode}${why ? ` (skipped: ${why})` : ""}`, () => {
    it("push to the default branch: reads origin through the proxy, posts Code Insights through it, publishes to the catalog", async () => {
      const slug = `push-${mode}`;
      const origin = single(slug, { "README.md": "# x\n", "CHANGELOG.md": "# c\n" });
      const r = await step(mode, { workspace: "acme", slug, branch: "main", bare: origin.bare, set: { CORTEX_API_KEY: "$CORTEX_API_KEY", CORTEX_API_URL: catalog.url }, repositoryVariables: { CORTEX_API_KEY: CORTEX_KEY } });
      expect(r.stderr).not.toMatch(/unexpected failure/);
      expect(r.code).toBe(0);
      expect(r.report!.defaultBranch).toEqual({ name: "main", commit: origin.defaultCommit });
      const report = cloud.state.report(`acme/${slug}`, r.commit, "catalog-scorecard");
      expect(report?.body.result).toBe("PASSED");
      expect(cloud.requests.some((q) => q.path.includes(slug) && q.auth.principal === PIPELINES_PROXY_PRINCIPAL)).toBe(true);
      expect(catalog.state.value(slug, "ci-scorecard")).toMatchObject({ branch: "main", commit: origin.defaultCommit });
      expect(world.gitServer.requests.some((q) => q.includes(`/acme/${slug}/info/refs`))).toBe(true);
    });

    it("pull request with the destination merged in: regression and fixed rules, FAIL_ON=regression", async () => {
      const slug = `pr-${mode}`;
      const origin = single(slug, { "CHANGELOG.md": "# c\n" }, { "README.md": "# x\n", "CHANGELOG.md": null });
      advanceBranch(origin.bare, "main", { "NOTES.md": "main moved on\n" });
      const r = await step(mode, { workspace: "acme", slug, branch: "feature/x", bare: origin.bare, pullRequest: { id: "5", destination: "main" }, set: { FAIL_ON: "regression" } });
      expect(r.code).toBe(1);
      const rules = Object.fromEntries(r.report!.entities[0]!.scorecards[0]!.rules.map((x) => [x.identifier, x]));
      expect(rules["has-readme"]!.change).toBe("fixed");
      expect(rules["has-changelog"]!.change).toBe("regression");
      expect(r.report!.evaluatedCommit).toBeDefined();
      const annotations = cloud.state.annotations(`acme/${slug}`, r.commit, "catalog-scorecard");
      expect(annotations.some((a) => String(a.summary).startsWith("Regression:"))).toBe(true);
    });

    it("monorepo with two entities", async () => {
      const slug = `mono-${mode}`;
      const svc = (name: string) => descriptorYaml({ tag: `${slug}-${name}`, repository: `acme/${slug}`, basepath: `services/${name}` });
      const origin = makeOrigin(
        {
          "services/a/cortex.yaml": svc("a"),
          "services/a/README.md": "a",
          "services/b/cortex.yaml": svc("b"),
          ".cortex/scorecards/readiness.yaml": scorecardYaml([{ id: "has-readme", expression: 'git.fileExists("README.md")' }]),
        },
        {},
      );
      const r = await step(mode, { workspace: "acme", slug, branch: "main", bare: origin.bare, set: { DESCRIPTOR: "services/*/cortex.yaml" } });
      expect(r.report!.entities.map((e) => [e.tag, e.scorecards[0]!.rules[0]!.commit.outcome])).toEqual([
        [`${slug}-a`, "pass"],
        [`${slug}-b`, "fail"],
      ]);
      expect(r.code).toBe(1);
    });

    it("Data Center target", async () => {
      const slug = `dc-${mode}`;
      const origin = single(slug, { "CHANGELOG.md": "x" });
      const r = await step(mode, { workspace: "acme", slug, branch: "main", bare: origin.bare, set: { BITBUCKET_SERVER_URL: dc.url, BITBUCKET_ACCESS_TOKEN: "$DC_TOKEN" }, repositoryVariables: { DC_TOKEN } });
      expect(r.report!.publish).toContainEqual(expect.objectContaining({ target: "code-insights", status: "posted" }));
      expect(dc.state.report(`ACME/${slug}`, r.commit, "catalog-scorecard")?.body.result).toBe("FAIL");
    });

    it("an invalid descriptor fails the build with its place, on the pull request too", async () => {
      const slug = `invalid-${mode}`;
      const origin = makeOrigin({ "cortex.yaml": descriptorYaml({ tag: "$SERVICE_NAME", repository: "acme/elsewhere" }) }, {});
      const r = await step(mode, { workspace: "acme", slug, branch: "main", bare: origin.bare });
      expect(r.code).toBe(1);
      const codes = r.report!.diagnostics.map((d) => `${d.code}@${d.line}`);
      expect(codes).toEqual(expect.arrayContaining(["TAG_INVALID@4", "REPOSITORY_MISMATCH@11"]));
      const annotations = cloud.state.annotations(`acme/${slug}`, r.commit, "catalog-scorecard");
      expect(annotations).toContainEqual(expect.objectContaining({ path: "cortex.yaml", line: 11 }));
    });

    it("the catalog down: local results stand, the publish failure is exit 3", async () => {
      const slug = `catalog-down-${mode}`;
      const origin = single(slug, { "README.md": "x", "CHANGELOG.md": "x" });
      const r = await step(mode, { workspace: "acme", slug, branch: "main", bare: origin.bare, set: { CORTEX_API_KEY: "$CORTEX_API_KEY", CORTEX_API_URL: "http://127.0.0.1:9" }, repositoryVariables: { CORTEX_API_KEY: CORTEX_KEY } });
      expect(r.code).toBe(3);
      expect(r.report!.result).toBe("PASSED");
      expect(r.report!.diagnostics.map((d) => d.code)).toContain("PUBLISH_FAILED");
    }, 240_000);
  });
}
