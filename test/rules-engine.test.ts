import { afterAll, describe, expect, it } from "vitest";
import type { RuleEvaluation } from "../src/report/model.js";
import { CATALOG_ONLY_ENTITY, CATALOG_ONLY_GIT, CATALOG_ONLY_GLOBALS } from "../src/rules/catalog-only.js";
import { evaluateRule, type EngineInput } from "../src/rules/engine.js";
import { MAX_CONTENT_BYTES, resolveRulePath } from "../src/rules/files.js";
import { makeJqRunner } from "../src/rules/jq.js";
import { makeRegexRunner, translateJavaRegex } from "../src/rules/regex.js";
import { parseExpression } from "../src/rules/scorecard.js";
import type { FileTree } from "../src/sources/tree.js";
import { memoryTree, type MemoryFile } from "../src/sources/memory-tree.js";

/** Engine properties the table cannot show: what is read, time bounds, recovery. */
const jq = makeJqRunner(500);
afterAll(() => jq.close());

/** A tree that counts blob reads, to show what the engine does not read. */
function counting(files: Record<string, MemoryFile>): { tree: FileTree; reads: Map<string, number> } {
  const inner = memoryTree(files);
  const reads = new Map<string, number>();
  return {
    reads,
    tree: {
      ...inner,
      entry: inner.entry,
      paths: inner.paths,
      read(entry) {
        reads.set(entry.path, (reads.get(entry.path) ?? 0) + 1);
        return inner.read(entry);
      },
    },
  };
}

function input(tree: FileTree, basepath = "", catalogCustom?: ReadonlyMap<string, unknown>): EngineInput {
  return {
    entity: { tag: "p", name: "p", description: undefined, type: "service", owners: [], groups: [], customMetadata: {}, hasGit: true },
    basepath,
    defaultTree: tree,
    headTree: tree,
    defaultBranchName: "main",
    catalogCustom,
    regex: makeRegexRunner(),
    jq,
    now: new Date(),
  };
}

function evalOn(tree: FileTree, expression: string, basepath = "", catalogCustom?: ReadonlyMap<string, unknown>): Promise<RuleEvaluation> {
  const rule = {
    identifier: "r",
    title: "r",
    description: undefined,
    expression: parseExpression(undefined, [], expression),
    weight: 1,
    level: undefined,
    failureMessage: undefined,
    effectiveFrom: undefined,
    filter: undefined,
    line: 1,
  };
  return evaluateRule(input(tree, basepath, catalogCustom), rule, tree);
}

describe("reading files", () => {
  it("never reads a file over the cap: its size comes from the listing", async () => {
    const { tree, reads } = counting({ "big.bin": Buffer.alloc(MAX_CONTENT_BYTES + 1, "a"), "small.txt": "x" });
    expect(await evalOn(tree, 'git.fileContents("big.bin").length > 0')).toMatchObject({ outcome: "skip", message: expect.stringContaining("over the 5.0 MiB limit") });
    expect(await evalOn(tree, 'git.fileExists("big.bin")')).toEqual({ outcome: "pass" });
    expect(reads.get("big.bin")).toBeUndefined();
  });

  it("reads a file exactly at the cap", async () => {
    const { tree } = counting({ "edge.txt": Buffer.alloc(MAX_CONTENT_BYTES, "a") });
    expect(await evalOn(tree, 'git.fileContents("edge.txt").length == 5242880')).toEqual({ outcome: "pass" });
  });

  it("fileExists reads no blob; each blob is read at most once per tree", async () => {
    const { tree, reads } = counting({ "a.txt": "x", "b.txt": "y" });
    await evalOn(tree, 'git.fileExists("a.txt") and git.fileExists("b.txt")');
    expect(reads.size).toBe(0);
    await evalOn(tree, 'git.fileContents("a.txt") == "x" and git.fileContents("a.txt").contains("x")');
    // memoryTree caches by blob id like the git tree does; the counter sees the request.
    expect(reads.get("a.txt")).toBeGreaterThanOrEqual(1);
  });

  it("resolves rule paths against the basepath, with / for the root and no way out", () => {
    expect(resolveRulePath("services/api", "README.md")).toBe("services/api/README.md");
    expect(resolveRulePath("services/api", "/README.md")).toBe("README.md");
    expect(resolveRulePath("services/api", "../web/x")).toBe("services/web/x");
    expect(resolveRulePath("", "./a//b/")).toBe("a/b");
    expect(() => resolveRulePath("services/api", "../../../x")).toThrow('path "../../../x" leaves the repository');
    expect(() => resolveRulePath("", "/..")).toThrow("leaves the repository");
  });
});

describe("regex dialect", () => {
  it("translates Java's inline flags and anchors", () => {
    expect(translateJavaRegex("(?i)abc")).toEqual({ source: "abc", flags: "i" });
    expect(translateJavaRegex("(?s)a.b").flags).toBe("s");
    expect(translateJavaRegex("\\p{Lu}+").flags).toBe("u");
    expect(translateJavaRegex("\\\\A")).toEqual({ source: "\\\\A", flags: "" });
  });

  it("rejects possessive quantifiers with a clear message", () => {
    expect(() => translateJavaRegex("a*+")).toThrow("possessive quantifiers");
    expect(() => translateJavaRegex("[*+]")).not.toThrow();
  });

  it("a catastrophic pattern is an error naming the regex, and the runner keeps working", () => {
    const r = makeRegexRunner(50);
    expect(() => r.test("(a+)+$", `${"a".repeat(40)}!`, false)).toThrow(/regular expression "\(a\+\)\+\$" took longer than 50 ms/);
    expect(r.test("a+", "aaa", true)).toBe(true);
  });
});

describe("jq under a hard time bound", () => {
  it("stops a filter that does not end, and the next call runs in a fresh worker", async () => {
    await expect(jq.run(null, "last(range(1e12))")).rejects.toThrow('jq filter "last(range(1e12))" took longer than 500 ms and was stopped');
    expect(await jq.run({ a: [1, 2] }, ".a | length")).toBe(2);
  });

  it("runs calls one at a time, each with its own bound", async () => {
    const results = await Promise.all([jq.run([1], ".[0]"), jq.run([2], ".[0]"), jq.run([3], ".[0]")]);
    expect(results).toEqual([1, 2, 3]);
  });

  it("reports an error raised after a first result", async () => {
    await expect(jq.run([1, 2], '.[] | if . == 2 then error("late") else . end')).rejects.toThrow("late");
  });

  it("reads megabytes of input in linear time", async () => {
    const big = JSON.stringify({ s: "x".repeat(2_000_000) });
    expect(await makeJqRunnerOnce(big, ".s | length")).toBe(2_000_000);
  });
});

async function makeJqRunnerOnce(data: string, filter: string) {
  const r = makeJqRunner(10_000);
  try {
    return await r.run(data, filter);
  } finally {
    await r.close();
  }
}

describe("every catalog-only name is recognised and unknown, never a failure or an error", () => {
  const tree = memoryTree({ "README.md": "x" });
  const cases = [
    ...CATALOG_ONLY_GLOBALS.flatMap((n) => [
      { expr: `${n} != null`, names: n },
      { expr: `${n}().length > 0`, names: `${n}()` },
      { expr: `${n}.anything(lookback = duration("P7D")) == 1`, names: `${n}.anything()` },
    ]),
    ...CATALOG_ONLY_GIT.map((m) => ({ expr: `git.${m}() != null`, names: `git.${m}()` })),
    ...CATALOG_ONLY_ENTITY.map((m) => ({ expr: `entity.${m}() != null`, names: `entity.${m}()` })),
  ];
  it.each(cases)("$expr", async ({ expr, names }) => {
    const r = await evalOn(tree, expr);
    expect(r.outcome).toBe("skip");
    expect(r.message).toContain(names);
  });
});

describe("custom data from the catalog (with an API key)", () => {
  const tree = memoryTree({});
  const catalog = new Map<string, unknown>([["coverage", { line: 91 }]]);

  it("is read when the descriptor lacks the key", async () => {
    expect(await evalOn(tree, 'custom("coverage").line > 90', "", catalog)).toEqual({ outcome: "pass" });
  });

  it("decides absence: a key in neither place is null, no longer unknown", async () => {
    expect(await evalOn(tree, 'custom("nope") != null', "", catalog)).toMatchObject({ outcome: "fail" });
    expect(await evalOn(tree, 'custom("nope") != null')).toMatchObject({ outcome: "skip" });
  });
});
