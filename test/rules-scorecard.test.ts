import { afterAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "../src/diagnostics.js";
import type { ScorecardResult } from "../src/report/model.js";
import { parseCql } from "../src/rules/cql/parser.js";
import { evaluateEntity } from "../src/rules/engine.js";
import { makeJqRunner } from "../src/rules/jq.js";
import { scoreOf, type Scored } from "../src/rules/level.js";
import type { Scorecard } from "../src/rules/model.js";
import { makeRegexRunner } from "../src/rules/regex.js";
import { readScorecard } from "../src/rules/scorecard.js";
import { memoryTree } from "../src/sources/memory-tree.js";
import { loadYaml } from "../src/yaml/load.js";

/** Scorecard files: loading, their problems with places, scores, levels, filters, drafts. */
const jq = makeJqRunner();
afterAll(() => jq.close());

function load(text: string): { scorecard: Scorecard | undefined; diagnostics: Diagnostic[] } {
  const y = loadYaml("card.yaml", Buffer.from(text, "utf8"));
  if (!y.loaded) throw new Error(`not YAML: ${JSON.stringify(y.diagnostics)}`);
  return readScorecard(y.loaded);
}

const LADDER = ["ladder:", "  levels:", "    - name: Bronze", "      rank: 1", "    - name: Silver", "      rank: 2", "    - name: Gold", "      rank: 3"];

function card(rules: readonly string[], extra: readonly string[] = []): string {
  return [`tag: t`, `name: T`, ...extra, ...LADDER, "rules:", ...rules].join("\n") + "\n";
}
const rule = (id: string, expression: string, more: Record<string, string | number> = {}) => [
  `  - identifier: ${id}`,
  `    title: ${id}`,
  `    expression: ${JSON.stringify(expression)}`,
  ...Object.entries(more).map(([k, v]) => `    ${k}: ${v}`),
];

const entity = { tag: "payments", name: "Payments", description: undefined, type: "service", owners: [], groups: ["tier-1"], customMetadata: {}, hasGit: true };
const files = { "README.md": "# x\n", "docs/a.md": "a" };

async function run(text: string, o: { now?: Date; type?: string; groups?: string[] } = {}) {
  const { scorecard, diagnostics } = load(text);
  const tree = memoryTree(files);
  const result = await evaluateEntity(
    {
      entity: { ...entity, type: o.type ?? "service", groups: o.groups ?? entity.groups },
      basepath: "",
      defaultTree: memoryTree(files, "main"),
      headTree: tree,
      defaultBranchName: "main",
      catalogCustom: undefined,
      regex: makeRegexRunner(),
      jq,
      now: o.now ?? new Date("2026-06-01T00:00:00Z"),
    },
    scorecard ? [scorecard] : [],
  );
  return { diagnostics, result, card: result.scorecards[0] as ScorecardResult | undefined };
}

describe("scores", () => {
  it("sums the weights of passing rules over the weights of decided rules; skips count in neither", async () => {
    const { card: c } = await run(
      card([
        ...rule("a", 'git.fileExists("README.md")', { weight: 3, level: "Bronze" }),
        ...rule("b", 'git.fileExists("NOPE.md")', { weight: 1, level: "Bronze" }),
        ...rule("c", "deploys().length > 0", { weight: 5, level: "Silver" }),
        ...rule("d", "true", { level: "Silver" }),
      ]),
    );
    expect(c!.commit).toMatchObject({ score: 4, total: 5, percentage: 80, passed: 2, failed: 1, skipped: 1, errors: 0 });
  });

  it("weight defaults to 1 and an error counts as decided and not passed", async () => {
    const { card: c } = await run(card([...rule("a", "true"), ...rule("b", "typo()")]));
    expect(c!.commit).toMatchObject({ score: 1, total: 2, percentage: 50, errors: 1 });
    expect(c!.rules.map((r) => r.weight)).toEqual([1, 1]);
  });

  it("is 100% with nothing decided, and says so through total 0", async () => {
    const { card: c } = await run(card(rule("a", "deploys().length > 0")));
    expect(c!.commit).toMatchObject({ score: 0, total: 0, percentage: 100, skipped: 1 });
  });
});

describe("levels", () => {
  const L = (level: string | undefined, outcome: Scored["outcome"], enforced = true): Scored => ({ level, outcome, weight: 1, enforced });
  const ladder = [
    { name: "Gold", rank: 3 },
    { name: "Bronze", rank: 1 },
    { name: "Silver", rank: 2 },
  ];

  it("is reached when every rule of it and of the levels below passes (rank 1 lowest)", () => {
    expect(scoreOf([L("Bronze", "pass"), L("Silver", "pass"), L("Gold", "fail")], ladder).level).toBe("Silver");
    expect(scoreOf([L("Bronze", "fail"), L("Silver", "pass"), L("Gold", "pass")], ladder).level).toBeNull();
    expect(scoreOf([L("Bronze", "pass"), L("Silver", "pass"), L("Gold", "pass")], ladder).level).toBe("Gold");
  });

  it("an error blocks a level; a skip does not (unknown is never a failure)", () => {
    expect(scoreOf([L("Bronze", "pass"), L("Silver", "error")], ladder).level).toBe("Bronze");
    expect(scoreOf([L("Bronze", "pass"), L("Silver", "skip"), L("Gold", "pass")], ladder).level).toBe("Gold");
  });

  it("a rule not yet in force neither blocks a level nor counts in the score", () => {
    const s = scoreOf([L("Bronze", "pass"), L("Bronze", "fail", false)], ladder);
    expect(s).toMatchObject({ level: "Gold", score: 1, total: 1, failed: 0 });
  });

  it("a level without rules is reached as soon as the levels below it are", () => {
    expect(scoreOf([L("Bronze", "pass")], ladder).level).toBe("Gold");
  });
});

describe("effectiveFrom, filters and drafts", () => {
  it("a rule effective in the future is evaluated and shown, not enforced, not counted", async () => {
    const { card: c } = await run(card([...rule("now", "true"), ...rule("later", 'git.fileExists("NOPE")', { effectiveFrom: "2027-01-31" })]));
    const later = c!.rules.find((r) => r.identifier === "later")!;
    expect(later).toMatchObject({ enforced: false, effectiveFrom: "2027-01-31", commit: { outcome: "fail" } });
    expect(c!.commit).toMatchObject({ score: 1, total: 1, failed: 0 });
  });

  it("a rule effective in the past is enforced", async () => {
    const { card: c } = await run(card(rule("past", "true", { effectiveFrom: "2020-01-01" })));
    expect(c!.rules[0]!.enforced).toBe(true);
  });

  it("an unreadable effectiveFrom is a SCORECARD_SCHEMA error at its line", () => {
    const { diagnostics } = load(card(rule("x", "true", { effectiveFrom: "next tuesday" })));
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: "SCORECARD_SCHEMA", line: 15, column: 20, message: expect.stringContaining("next tuesday") }));
  });

  it("filters by type, case-insensitively, and by `category`", async () => {
    const t = card(rule("a", "true"), ["filter:", "  types:", "    include: [Service]"]);
    expect((await run(t)).card).toBeDefined();
    const other = await run(t, { type: "library" });
    expect(other.card).toBeUndefined();
    expect(other.result.notApplied[0]!.reason).toContain("this entity is a library");
    expect((await run(card(rule("a", "true"), ["filter:", "  category: SERVICE"]))).card).toBeDefined();
    expect((await run(card(rule("a", "true"), ["filter:", "  types:", "    exclude: [service]"]))).card).toBeUndefined();
  });

  it("filters by groups", async () => {
    const t = card(rule("a", "true"), ["filter:", "  groups:", "    include: [tier-1]"]);
    expect((await run(t)).card).toBeDefined();
    expect((await run(t, { groups: ["tier-2"] })).result.notApplied[0]!.reason).toContain("tier-1");
    expect((await run(card(rule("a", "true"), ["filter:", "  groups:", "    exclude: [tier-1]"]))).card).toBeUndefined();
  });

  it("filters by a CQL query; an undecidable query does not exclude", async () => {
    expect((await run(card(rule("a", "true"), ["filter:", "  query: entity.tag() == \"payments\""]))).card).toBeDefined();
    const no = await run(card(rule("a", "true"), ["filter:", "  query: entity.tag() == \"other\""]));
    expect(no.result.notApplied[0]!.reason).toContain('entity.tag() == "other"');
    expect((await run(card(rule("a", "true"), ["filter:", "  query: deploys().length > 0"]))).card).toBeDefined();
  });

  it("a rule's own filter drops just that rule", async () => {
    const { card: c } = await run(card([...rule("a", "true"), "    filter:", "      types:", "        include: [library]", ...rule("b", "true")]));
    expect(c!.rules.map((r) => r.identifier)).toEqual(["b"]);
  });

  it("a draft scorecard is evaluated and reported as a draft", async () => {
    const { card: c } = await run(card(rule("a", "false"), ["draft: true"]));
    expect(c).toMatchObject({ draft: true, commit: { failed: 1 } });
  });
});

describe("scorecard problems", () => {
  it("a ladder level that no rule uses is a warning at the level", () => {
    const { diagnostics } = load(card([...rule("a", "true", { level: "Bronze" }), ...rule("b", "true", { level: "Gold" })]));
    expect(diagnostics).toEqual([expect.objectContaining({ code: "SCORECARD_LEVEL", severity: "warning", line: 7, message: expect.stringContaining('"Silver" has no rules') })]);
  });

  it("a rule naming a level the ladder lacks is an error at the rule's level", () => {
    const { diagnostics } = load(card([...rule("a", "true", { level: "Bronze" }), ...rule("b", "true", { level: "Platinum" })]));
    expect(diagnostics).toContainEqual(
      expect.objectContaining({ code: "SCORECARD_LEVEL", severity: "error", line: 19, column: 12, message: expect.stringContaining('"Platinum", which the ladder does not have (Bronze, Silver, Gold)') }),
    );
  });

  it("duplicate identifiers are an error at the second one, naming the first's line", () => {
    const { diagnostics, scorecard } = load(card([...rule("same", "true"), ...rule("same", "false")]));
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: "DUPLICATE_RULE", line: 15, column: 17, message: 'rule identifier "same" is used twice (first at line 12)' }));
    expect(scorecard!.rules).toHaveLength(2);
  });

  it("identifiers made from titles never collide", () => {
    const { diagnostics, scorecard } = load(card(["  - title: Has README", "    expression: 'true'", "  - title: Has README!", "    expression: 'true'"]));
    expect(diagnostics).toEqual([]);
    expect(scorecard!.rules.map((r) => r.identifier)).toEqual(["has-readme", "has-readme-2"]);
  });

  it("two ladder levels with one rank are an error", () => {
    const { diagnostics } = load(["tag: t", "name: T", "ladder:", "  levels:", "    - {name: A, rank: 1}", "    - {name: B, rank: 1}", "rules:", ...rule("a", "true")].join("\n"));
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: "SCORECARD_LEVEL", message: "two ladder levels share rank 1" }));
  });

  it("schema problems are SCORECARD_SCHEMA errors at their place", () => {
    const { diagnostics } = load(["tag: t", "name: T", "rules:", "  - title: x", "    expression: 'true'", "    weight: heavy"].join("\n"));
    expect(diagnostics).toContainEqual(expect.objectContaining({ code: "SCORECARD_SCHEMA", line: 6 }));
  });

  it("a rule that does not parse stays in the scorecard as an error outcome", async () => {
    const { card: c, diagnostics } = await run(card([...rule("bad", "git.fileExists("), ...rule("good", "true")]));
    expect(diagnostics.map((d) => d.code)).toEqual(["CQL_SYNTAX"]);
    expect(c!.rules.map((r) => [r.identifier, r.commit.outcome])).toEqual([
      ["bad", "error"],
      ["good", "pass"],
    ]);
  });
});

describe("CQL_SYNTAX points at the line and column in the scorecard file, whatever the scalar's style", () => {
  const SAMPLE = 'git.fileExists("README.md") and custom("tier") == "gold" or [1, 2].any((x) => x > 1)';
  // Insert a character CQL rejects at every position; keep the variants that fail to parse.
  const variants = [...Array(SAMPLE.length + 1).keys()]
    .map((i) => SAMPLE.slice(0, i) + "~" + SAMPLE.slice(i))
    .map((text) => ({ text, parsed: parseCql(text) }))
    .filter((v): v is { text: string; parsed: Extract<ReturnType<typeof parseCql>, { ok: false }> } => !v.parsed.ok);

  it("has a variant for most positions", () => {
    expect(variants.length).toBeGreaterThan(SAMPLE.length * 0.7);
  });

  const HEAD = ["tag: t", "name: T", "rules:", "  - identifier: r", "    title: r"]; // the expression key is on line 6
  type Style = { readonly name: string; readonly yaml: (text: string) => string[]; readonly place: (text: string, offset: number) => { line: number; column: number } };
  const half = (text: string) => {
    const cut = text.indexOf(" or ");
    return { first: text.slice(0, cut), second: text.slice(cut + 1) };
  };
  const styles: Style[] = [
    { name: "plain", yaml: (t) => [`    expression: ${t}`], place: (_t, o) => ({ line: 6, column: 17 + o }) },
    {
      name: "double-quoted (with escapes)",
      yaml: (t) => [`    expression: ${JSON.stringify(t)}`],
      place: (t, o) => ({ line: 6, column: 18 + JSON.stringify(t.slice(0, o)).length - 2 }),
    },
    { name: "single-quoted", yaml: (t) => [`    expression: '${t}'`], place: (_t, o) => ({ line: 6, column: 18 + o }) },
    { name: "literal block", yaml: (t) => ["    expression: |", `      ${t}`], place: (_t, o) => ({ line: 7, column: 7 + o }) },
    {
      name: "folded block over two lines",
      yaml: (t) => ["    expression: >-", `      ${half(t).first}`, `      ${half(t).second}`],
      place: (t, o) => {
        const { first } = half(t);
        return o <= first.length ? { line: 7, column: 7 + o } : { line: 8, column: 7 + o - first.length - 1 };
      },
    },
    {
      name: "plain over two lines",
      yaml: (t) => [`    expression: ${half(t).first}`, `      ${half(t).second}`],
      place: (t, o) => {
        const { first } = half(t);
        return o <= first.length ? { line: 6, column: 17 + o } : { line: 7, column: 7 + o - first.length - 1 };
      },
    },
  ];

  it.each(styles)("$name", (style) => {
    const wrong: string[] = [];
    for (const v of variants) {
      const { diagnostics } = load([...HEAD, ...style.yaml(v.text)].join("\n") + "\n");
      const d = diagnostics.find((x) => x.code === "CQL_SYNTAX");
      const want = style.place(v.text, v.parsed.error.offset);
      if (!d || d.line !== want.line || d.column !== want.column) {
        wrong.push(`${v.text}\n  want ${want.line}:${want.column}, got ${d ? `${d.line}:${d.column}` : "no CQL_SYNTAX"} (${v.parsed.error.message})`);
      }
    }
    expect(wrong.join("\n")).toBe("");
  });
});
