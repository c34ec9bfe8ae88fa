import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { loadConfig, parseArgs } from "../src/config/index.js";
import { readBoolean, readList } from "../src/config/read.js";
import { ConfigError } from "../src/errors.js";

const load = (env: Record<string, string>) => loadConfig(env, "/repo");
const problems = (env: Record<string, string>): readonly string[] => {
  try {
    load(env);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
};

describe("list variables", () => {
  it.each([
    [{ DESCRIPTOR: "a.yaml" }, ["a.yaml"]],
    [{ DESCRIPTOR: "a.yaml, b.yaml" }, ["a.yaml", "b.yaml"]],
    [{ DESCRIPTOR: "a.yaml\nb.yaml\n" }, ["a.yaml", "b.yaml"]],
    [{ DESCRIPTOR_COUNT: "2", DESCRIPTOR_0: "x/cortex.yaml", DESCRIPTOR_1: "y/cortex.yaml" }, ["x/cortex.yaml", "y/cortex.yaml"]],
    [{ DESCRIPTOR_COUNT: "0" }, []],
    [{ DESCRIPTOR: "  " }, undefined],
  ])("%j → %j", (env, want) => {
    const r = readList(env, "DESCRIPTOR");
    expect(r).toEqual({ ok: true, value: want });
  });

  it("keeps a glob's braces together", () => {
    expect(readList({ DESCRIPTOR: "services/{a,b}/cortex.yaml, x.yaml" }, "DESCRIPTOR")).toEqual({ ok: true, value: ["services/{a,b}/cortex.yaml", "x.yaml"] });
  });

  it("names a missing pipe list item", () => {
    expect(readList({ ALIASES_COUNT: "2", ALIASES_0: "a" }, "ALIASES")).toEqual({ ok: false, problem: "ALIASES_COUNT is 2 but ALIASES_1 is not set." });
  });
});

describe("booleans are strict", () => {
  it.each(["true", "TRUE", "True", " false "])("accepts %j", (v) => expect(readBoolean("DRY_RUN", v, false).ok).toBe(true));
  it.each(["yes", "1", "ture", "on"])("refuses %j naming the variable", (v) => {
    expect(readBoolean("DRY_RUN", v, false)).toEqual({ ok: false, problem: `DRY_RUN must be true or false, got "${v}".` });
  });
});

describe("loadConfig", () => {
  it("has the documented defaults", () => {
    const c = load({});
    expect(c).toMatchObject({
      failOn: "failure",
      outputDir: "scorecard-reports",
      junitFile: "test-results/catalog-scorecard.xml",
      reportId: "catalog-scorecard",
      catalog: { publish: "auto", key: "ci-scorecard", apiUrl: "https://api.getcortexapp.com" },
      codeInsights: true,
      dryRun: false,
      insights: { kind: "none" },
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it("reports every invalid variable at once", () => {
    const p = problems({ FAIL_ON: "often", CODE_INSIGHTS: "maybe", MIN_SCORE: "-1", CATALOG_PUBLISH: "sometimes", CORTEX_API_URL: "ftp://x", REPORT_ID: "has space" });
    expect(p).toHaveLength(6);
    expect(p.join("\n")).toMatch(/FAIL_ON must be one of failure, regression, never/);
    expect(p.join("\n")).toMatch(/CORTEX_API_URL must use http or https/);
  });

  it.each(["50%", "0x10", "1e2", "-1", "101", "abc"])("MIN_SCORE refuses %j", (v) => {
    expect(problems({ MIN_SCORE: v })).toEqual([expect.stringContaining("MIN_SCORE must be a number from 0 to 100")]);
  });

  it("refuses absolute descriptor paths", () => {
    expect(problems({ DESCRIPTOR: "/etc/passwd" })).toEqual([expect.stringContaining("is an absolute path")]);
  });

  it("refuses patterns that leave the repository and half-set credentials", () => {
    const p = problems({ DESCRIPTOR: "../x/cortex.yaml", BITBUCKET_USERNAME: "me", SCORECARD_TAGS: "prod" });
    expect(p).toEqual([
      expect.stringContaining("leaves the repository"),
      "SCORECARD_TAGS needs CORTEX_API_KEY to fetch scorecards from the catalog.",
      expect.stringContaining("BITBUCKET_API_TOKEN is not"),
    ]);
  });

  it("JUNIT_FILE set to empty disables the file", () => {
    expect(load({ JUNIT_FILE: "" }).junitFile).toBeUndefined();
  });

  it("chooses the Code Insights target from the environment", () => {
    expect(load({ BITBUCKET_BUILD_NUMBER: "1" }).insights).toEqual({ kind: "cloud", apiUrl: "http://api.bitbucket.org/2.0", auth: { kind: "proxy", proxyUrl: "http://localhost:29418" } });
    expect(load({ BITBUCKET_BUILD_NUMBER: "1", BITBUCKET_PIPE_STORAGE_DIR: "/x" }).insights).toMatchObject({ auth: { proxyUrl: "http://host.docker.internal:29418" } });
    expect(load({ BITBUCKET_ACCESS_TOKEN: "tok-123" }).insights).toMatchObject({ kind: "cloud", apiUrl: "https://api.bitbucket.org/2.0", auth: { kind: "bearer" } });
    expect(load({ BITBUCKET_SERVER_URL: "https://bb.example.com/", BITBUCKET_ACCESS_TOKEN: "tok-123" }).insights).toMatchObject({ kind: "data-center", serverUrl: "https://bb.example.com" });
    expect(load({ CODE_INSIGHTS: "false", BITBUCKET_BUILD_NUMBER: "1" }).insights).toEqual({ kind: "none", reason: "CODE_INSIGHTS is false" });
    expect(problems({ BITBUCKET_SERVER_URL: "https://bb.example.com" })).toEqual([expect.stringContaining("needs BITBUCKET_ACCESS_TOKEN")]);
  });

  it("keeps secrets out of every string form of the config", () => {
    const c = load({ CORTEX_API_KEY: "cortex-secret-value", BITBUCKET_ACCESS_TOKEN: "bb-secret-value" });
    const forms = [JSON.stringify(c), String(c.catalog.apiKey), `${c.catalog.apiKey}`, inspect(c, { depth: 10 })];
    for (const f of forms) {
      expect(f).not.toContain("cortex-secret-value");
      expect(f).not.toContain("bb-secret-value");
    }
    expect(c.catalog.apiKey?.reveal()).toBe("cortex-secret-value");
  });
});

describe("command-line flags", () => {
  it("mirror the variables and win over them", () => {
    const r = parseArgs(["--fail-on", "regression", "--descriptor", "a.yaml", "--descriptor=b.yaml", "--dry-run"], { FAIL_ON: "never" });
    expect(r.kind).toBe("run");
    if (r.kind !== "run") return;
    const c = loadConfig(r.env, "/repo");
    expect(c.failOn).toBe("regression");
    expect(c.descriptors).toEqual(["a.yaml", "b.yaml"]);
    expect(c.dryRun).toBe(true);
  });

  it("reports bad flags together with bad variables", () => {
    const r = parseArgs(["--cortex-api-key", "x", "--nope"], {});
    expect(r.kind).toBe("run");
    if (r.kind !== "run") return;
    expect(r.problems).toEqual([expect.stringContaining("secret"), expect.stringContaining('Unknown argument "x"'), expect.stringContaining('"--nope"')]);
    try {
      loadConfig({ ...r.env, DRY_RUN: "x", FAIL_ON: "y" }, "/repo", r.problems);
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).problems).toHaveLength(5);
    }
  });

  it("--help and --version", () => {
    expect(parseArgs(["--help"], {})).toEqual({ kind: "help" });
    expect(parseArgs(["-v"], {})).toEqual({ kind: "version" });
  });
});
