import { describe, expect, it } from "vitest";
import { LineCounter, parseDocument } from "yaml";
import { findDescriptors } from "../src/descriptor/find.js";
import { normaliseBasepath } from "../src/descriptor/git-block.js";
import { repositoryFromUrl, sameRepository } from "../src/descriptor/repository.js";
import { isPlaceholder } from "../src/descriptor/tag.js";
import { memoryTree } from "../src/sources/memory-tree.js";
import { suggestKey } from "../src/text.js";
import { scanNesting, sizeProblem } from "../src/yaml/limits.js";
import { locate } from "../src/yaml/locate.js";
import { positionOf } from "../src/yaml/load.js";
import { plainYamlError } from "../src/yaml/syntax.js";

/** The small pure pieces behind descriptor validation, table-tested. */

describe("scanNesting: the pre-parse depth estimate", () => {
  it.each([
    ["brackets inside quotes", `a: "${"[".repeat(500)}"\nb: '${"{".repeat(500)}'\n`],
    ["brackets inside a plain scalar", `url: https://example.com/${"[x".repeat(300)}\n`],
    ["brackets in comments", `a: 1 # ${"[".repeat(500)}\n${"# {".repeat(200)}\n`],
    ["a deeply indented block scalar", `a: |\n${Array.from({ length: 300 }, (_, i) => `${" ".repeat(i + 2)}line`).join("\n")}\nb: 2\n`],
    ["apostrophes in plain text", `a: don't [ stop\nb: it's fine\n`],
    ["a real, moderately nested document", "a:\n  b:\n    - c: [1, {d: [2, 3]}]\n      e: {f: g}\n"],
  ])("does not count %s", (_name, text) => {
    expect(scanNesting(text, 128)).toBeUndefined();
  });

  it.each([
    ["flow brackets", `a: ${"[".repeat(200)}`, 1],
    ["flow mappings", `a: ${"{b: ".repeat(200)}`, 1],
    ["compact sequences", `${"- ".repeat(200)}x\n`, 1],
    ["block indentation", Array.from({ length: 200 }, (_, i) => `${" ".repeat(i)}k:`).join("\n"), 129],
  ])("catches %s past the threshold, at the line where it crosses", (_name, text, line) => {
    const hit = scanNesting(text, 128);
    expect(hit).toBeDefined();
    expect(positionOf(text, hit!.offset).line).toBe(line);
  });
});

describe("positions", () => {
  it("positionOf counts lines and columns from 1, CRLF included", () => {
    expect(positionOf("ab\ncd", 0)).toEqual({ line: 1, column: 1 });
    expect(positionOf("ab\ncd", 4)).toEqual({ line: 2, column: 2 });
    expect(positionOf("ab\r\ncd", 5)).toEqual({ line: 2, column: 2 });
  });

  const find = (text: string, parts: (string | number)[], keyOf = false) => {
    const lc = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lc });
    return locate(doc, lc, parts, { keyOf });
  };

  it("locate finds values, keys, list items, and the parent's key for a missing key", () => {
    const text = "info:\n  title: x\n  list:\n    - a\n    - b\n";
    expect(find(text, ["info", "title"])).toEqual({ line: 2, column: 10 });
    expect(find(text, ["info", "title"], true)).toEqual({ line: 2, column: 3 });
    expect(find(text, ["info", "list", 1])).toEqual({ line: 5, column: 7 });
    expect(find(text, ["info", "missing"])).toEqual({ line: 1, column: 1 });
  });

  it("locate points at the key of an empty value, and follows aliases", () => {
    expect(find("info:\n  tag:\n  x: 1\n", ["info", "tag"])).toEqual({ line: 2, column: 3 });
    expect(find("base: &b\n  t: 1\ninfo: *b\n", ["info", "t"])).toEqual({ line: 2, column: 6 });
  });
});

describe("words", () => {
  it.each([
    ["x-cortex-onwers", ["x-cortex-owners", "x-cortex-tag"], "x-cortex-owners"],
    ["x-cortex-tag", ["x-cortex-type", "title"], undefined],
    ["repo", ["repository", "basepath", "alias"], "repository"],
    ["bitbuckett", ["github", "gitlab", "bitbucket", "azure"], "bitbucket"],
    ["XXinfo", ["info"], "info"],
    ["zz", ["zzz-long"], undefined],
  ])("suggestKey(%j, %j) → %j", (word, candidates, want) => {
    expect(suggestKey(word, candidates)).toBe(want);
  });

  it.each([
    ["./services/api/", "services/api"],
    ["services//api", "services/api"],
    ["services/./api", "services/api"],
    ["services\\api", "services/api"],
    [".", ""],
    ["/", ""],
    ["  services/api  ", "services/api"],
  ])("normaliseBasepath(%j) → %j", (raw, want) => {
    expect(normaliseBasepath(raw)).toBe(want);
  });

  it("repository names compare like Bitbucket slugs", () => {
    expect(sameRepository("Acme/Payments", "acme/payments")).toBe(true);
    expect(sameRepository("acme/payments.git", "acme/payments")).toBe(true);
    expect(sameRepository("acme/payments", "acme/billing")).toBe(false);
    expect(repositoryFromUrl("https://bitbucket.org/acme/payments.git")).toBe("acme/payments");
    expect(repositoryFromUrl("git@bitbucket.org:acme/payments.git")).toBe("acme/payments");
    expect(repositoryFromUrl("acme/payments")).toBeUndefined();
  });

  it.each(["$VAR", "${VAR}", "<SERVICE_TAG>", "{{ name }}", "svc-$NAME"])("%j is a placeholder", (v) => expect(isPlaceholder(v)).toBe(true));
  it.each(["payments", "a<b", "cost-5$"])("%j is not a placeholder", (v) => expect(isPlaceholder(v)).toBe(false));

  it("every yaml error gets plain words and a fix", () => {
    for (const [code, message] of [
      ["MISSING_CHAR", "Implicit map keys need to be followed by map values"],
      ["MISSING_CHAR", 'Missing closing "quote'],
      ["UNEXPECTED_TOKEN", 'Unexpected flow-seq-end token in YAML stream: "]"'],
      ["BAD_SCALAR_START", "Plain value cannot start with reserved character @"],
      ["SOMETHING_NEW", "A brand new problem at line 3, column 4:\n\nframe"],
    ] as const) {
      const p = plainYamlError(code, message);
      expect(p.message).not.toMatch(/line \d|\n/);
      expect(p.hint.length).toBeGreaterThan(10);
    }
    expect(plainYamlError("UNEXPECTED_TOKEN", 'Unexpected flow-seq-end token in YAML stream: "]"').message).toBe('unexpected "]" here');
  });

  it("sizeProblem refuses only what is over 1 MiB", () => {
    expect(sizeProblem("cortex.yaml", 1024 * 1024)).toBeUndefined();
    expect(sizeProblem("cortex.yaml", 1024 * 1024 + 1)).toMatchObject({ code: "YAML_LIMIT", file: "cortex.yaml" });
  });
});

describe("finding descriptors", () => {
  it("suggests the descriptors a repository has when the root has none", () => {
    const found = findDescriptors(memoryTree({ "services/a/cortex.yaml": "x", ".cortex/cortex.yml": "x" }), undefined);
    expect(found.files).toEqual([]);
    expect(found.diagnostics[0]).toMatchObject({ code: "DESCRIPTOR_NOT_FOUND", hint: expect.stringContaining(".cortex/cortex.yml, services/a/cortex.yaml") });
  });

  it("a DESCRIPTOR that names a directory says which file to name", () => {
    const found = findDescriptors(memoryTree({ "services/a/cortex.yaml": "x" }), ["services/a"]);
    expect(found.diagnostics[0]).toMatchObject({ message: 'DESCRIPTOR "services/a" is a directory; it must name the descriptor file', hint: "Set DESCRIPTOR to services/a/cortex.yaml." });
  });

  it("cortex.yaml wins over cortex.yml, with a warning", () => {
    const found = findDescriptors(memoryTree({ "cortex.yaml": "x", "cortex.yml": "y" }), undefined);
    expect(found.files).toEqual(["cortex.yaml"]);
    expect(found.diagnostics[0]).toMatchObject({ code: "DESCRIPTOR_AMBIGUOUS", severity: "warning", file: "cortex.yml" });
  });

  it("globs skip look-alike extensions such as .yaml2", () => {
    const found = findDescriptors(memoryTree({ ".cortex/catalog/a.yaml": "x", ".cortex/catalog/b.yaml2": "x" }), [".cortex/catalog/*.yaml"]);
    expect(found.files).toEqual([".cortex/catalog/a.yaml"]);
  });
});
