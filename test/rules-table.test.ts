import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuleEvaluation } from "../src/report/model.js";
import { makeJqRunner } from "../src/rules/jq.js";
import { makeRegexRunner } from "../src/rules/regex.js";
import { evaluateFast, fixtureRepo, loadFixtures, mismatch } from "./fixtures/cql/harness.js";
import { BUNDLE, cleanup, runBundle } from "./helpers/repo.js";

/**
 * The CQL table (test/fixtures/cql/*.yaml), run twice: through the pure engine on an in-memory
 * tree, and through the built bundle on a real git repository per topic.
 */
const fixtures = loadFixtures();
const runners = { regex: makeRegexRunner(), jq: makeJqRunner() };
afterAll(async () => {
  await runners.jq.close();
  cleanup();
});

it("holds at least 150 cases over every topic", () => {
  expect(fixtures.reduce((n, f) => n + f.cases.length, 0)).toBeGreaterThanOrEqual(150);
  expect(fixtures.map((f) => f.topic).sort()).toEqual(
    expect.arrayContaining(["catalog-only", "entity-ownership", "errors", "files", "jq", "lists", "logic-three-valued", "paths-basepath", "regex", "semver", "strings"]),
  );
});

describe.each(fixtures)("$file through the engine", (fixture) => {
  let results: Map<string, RuleEvaluation>;
  beforeAll(async () => {
    results = await evaluateFast(fixture, runners);
  });
  it.each(fixture.cases)("$id: $expr → $outcome", (c) => {
    expect(mismatch(c, results.get(c.id))).toBe("");
  });
});

describe.each(fixtures)("$file through the bundle on a real repository", (fixture) => {
  it("gives every case its expected outcome", () => {
    if (!existsSync(BUNDLE)) throw new Error(`build the bundle first: npm run build (${BUNDLE})`);
    const run = runBundle(fixtureRepo(fixture));
    expect(run.stderr).not.toContain("unexpected failure");
    const rules = run.report?.entities[0]?.scorecards[0]?.rules ?? [];
    const got = new Map(rules.map((r) => [r.identifier, r.commit]));
    const problems = fixture.cases.map((c) => mismatch(c, got.get(c.id))).filter(Boolean);
    expect(problems.join("\n")).toBe("");
  });
});
