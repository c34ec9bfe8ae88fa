import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmDescriptor } from "../src/descriptor/confirm.js";
import { validateDescriptor } from "../src/descriptor/validate.js";
import { DIAGNOSTIC_CODES, type Diagnostic } from "../src/diagnostics.js";
import { memoryTree } from "../src/sources/memory-tree.js";
import { loadYaml } from "../src/yaml/load.js";
import { descriptorYaml } from "./helpers/fixtures.js";
import { BUNDLE, cleanup, makeRepo, runBundle } from "./helpers/repo.js";

/**
 * Mutation testing of the descriptor pipeline: start from valid (and real) descriptors, break
 * them the ways people and tools do — delete keys, change types, insert garbage lines, duplicate
 * keys, random unicode, truncation, re-indentation — and check the contract: it never throws,
 * and every diagnostic has a known code, a severity, a message, a fix and a place in the file.
 */
const corpus = (name: string) => readFileSync(path.join(__dirname, "fixtures/descriptors", name), "utf8");

const BASES: readonly string[] = [
  descriptorYaml(),
  descriptorYaml({ basepath: "services/payments", alias: "acme-cloud" }),
  [
    "openapi: 3.0.1",
    "info:",
    "  title: Payments",
    "  description: Takes the money",
    "  x-cortex-tag: payments",
    "  x-cortex-type: service",
    "  x-cortex-owners:",
    "    - type: GROUP",
    "      name: team-payments",
    "    - type: EMAIL",
    "      email: pay@example.com",
    "  x-cortex-groups: [tier-1, lang-go]",
    "  x-cortex-link:",
    "    - name: Runbook",
    "      type: RUNBOOK",
    "      url: https://example.com/runbook",
    "  x-cortex-custom-metadata:",
    "    cost-centre: 42",
    "    flags: {beta: true}",
    "  x-cortex-dependency:",
    "    - tag: billing",
    "      method: GET",
    "      path: /invoices",
    "  x-cortex-git:",
    "    bitbucket:",
    "      repository: acme/payments",
    "      basepath: services/payments",
    "",
  ].join("\n"),
  corpus("Cortex-Customer-Engineering__moneymouth__cortex.yaml"),
  corpus("BulkActions__test-repo__.cortex_catalog_argo-rollouts.yaml"),
  corpus("Cimpress__cimpress-cortex__cortex.yml.yaml"),
  corpus("Intsights__PyDeduplines__cortex.yaml"),
];

const VALUES = ["[]", "{}", "~", "", "123", "-1.5", "true", "[a, b", "{a: 1", '"x', "'x", "*nope", "&a x", "!!binary aGk=", "!custom x", "|", ">-", "- item", "x: y: z", "[[[[[[", "<SERVICE_TAG>", "$VAR", "@scope/x", "a b c", "/abs", "../up"];
const FRAGMENTS = ["---", "...", "  - ", "key: value", "\t- x", "x: &a [*a]", "? [a]", "%YAML 1.2", "  x-cortex-tag: dup", "info:", "  x-cortex-git:", "    bitbucket: {repository: a/b, basepath: /x}", "  x-cortex-onwers: []", "#", "- - - - -", "  basePath: x", "\uFEFF", "\u0000"];

type Mutation =
  | { readonly kind: "delete"; readonly at: number }
  | { readonly kind: "insert"; readonly at: number; readonly line: string }
  | { readonly kind: "duplicate"; readonly at: number }
  | { readonly kind: "retype"; readonly at: number; readonly value: string }
  | { readonly kind: "unicode"; readonly at: number; readonly text: string }
  | { readonly kind: "indent"; readonly at: number; readonly by: number }
  | { readonly kind: "truncate"; readonly at: number };

const at = fc.nat({ max: 10_000 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("delete" as const), at }),
  fc.record({ kind: fc.constant("insert" as const), at, line: fc.oneof(fc.constantFrom(...FRAGMENTS), fc.string({ unit: "binary", maxLength: 30 })) }),
  fc.record({ kind: fc.constant("duplicate" as const), at }),
  fc.record({ kind: fc.constant("retype" as const), at, value: fc.constantFrom(...VALUES) }),
  fc.record({ kind: fc.constant("unicode" as const), at, text: fc.string({ unit: "binary", minLength: 1, maxLength: 8 }) }),
  fc.record({ kind: fc.constant("indent" as const), at, by: fc.integer({ min: -4, max: 4 }) }),
  fc.record({ kind: fc.constant("truncate" as const), at }),
);

function mutate(lines: string[], m: Mutation): string[] {
  const i = lines.length ? m.at % lines.length : 0;
  const line = lines[i] ?? "";
  const out = [...lines];
  switch (m.kind) {
    case "delete":
      out.splice(i, 1);
      break;
    case "insert":
      out.splice(i, 0, m.line);
      break;
    case "duplicate":
      out.splice(i, 0, line);
      break;
    case "retype": {
      const colon = line.indexOf(": ");
      out[i] = colon >= 0 ? `${line.slice(0, colon + 2)}${m.value}` : `${line}${m.value}`;
      break;
    }
    case "unicode": {
      const cut = line.length ? m.at % (line.length + 1) : 0;
      out[i] = `${line.slice(0, cut)}${m.text}${line.slice(cut)}`;
      break;
    }
    case "indent":
      out[i] = m.by >= 0 ? `${" ".repeat(m.by)}${line}` : line.replace(new RegExp(`^ {0,${-m.by}}`), "");
      break;
    case "truncate":
      return out.slice(0, i);
  }
  return out;
}

/** A broken descriptor, as bytes: truncation may also cut a UTF-8 sequence in half. */
const brokenDescriptor = fc
  .tuple(fc.constantFrom(...BASES), fc.array(mutation, { minLength: 1, maxLength: 6 }), fc.option(fc.nat({ max: 5_000 })))
  .map(([base, mutations, cutBytes]) => {
    const bytes = Buffer.from(mutations.reduce(mutate, base.split("\n")).join("\n"), "utf8");
    return cutBytes === null ? bytes : bytes.subarray(0, cutBytes % (bytes.length + 1));
  });

const TREE = { "services/payments/index.ts": "x", "services/Billing/index.ts": "x", "README.md": "x" };

function pipeline(bytes: Buffer, aliases: boolean): Diagnostic[] {
  const y = loadYaml("cortex.yaml", bytes);
  if (!y.loaded) return y.diagnostics;
  const v = validateDescriptor(y.loaded);
  if (!v.descriptor) return [...y.diagnostics, ...v.diagnostics];
  const ctx = {
    repository: { fullName: "acme/payments", source: "BITBUCKET_REPO_FULL_NAME" },
    aliases: aliases ? { names: ["acme-cloud"], source: "ALIASES" } : undefined,
    defaultTree: memoryTree({ ...TREE, "cortex.yaml": bytes }, "main"),
    headTree: memoryTree({ ...TREE, "cortex.yaml": bytes }),
  };
  return [...y.diagnostics, ...v.diagnostics, ...confirmDescriptor(v.descriptor, ctx)];
}

const CODES: readonly string[] = DIAGNOSTIC_CODES;
/** Fixed seeds keep CI stable; FC_RUNS / FC_SEED widen the search when hunting bugs locally. */
const RUNS = (n: number) => Number(process.env.FC_RUNS ?? n);
const SEED = (n: number) => (process.env.FC_SEED ? Number(process.env.FC_SEED) : n);

function expectWellFormed(d: Diagnostic, lineCount: number): void {
  expect(CODES).toContain(d.code);
  expect(["error", "warning", "info"]).toContain(d.severity);
  expect(d.message.trim().length).toBeGreaterThan(0);
  expect(d.message).not.toMatch(/undefined|\[object Object\]|NaN/);
  expect(d.hint?.trim().length ?? 0).toBeGreaterThan(0);
  expect(d.file).toBe("cortex.yaml");
  // Every problem here concerns the file's content, so it has a place inside the file.
  expect(Number.isInteger(d.line) && (d.line ?? 0) >= 1 && (d.line ?? 0) <= lineCount + 1).toBe(true);
  expect(Number.isInteger(d.column) && (d.column ?? 0) >= 1).toBe(true);
}

describe("mutated descriptors through the pure pipeline", () => {
  it("never throw, and every diagnostic has a code, a severity, a fix and a place", () => {
    fc.assert(
      fc.property(brokenDescriptor, fc.boolean(), (bytes, aliases) => {
        const diagnostics = pipeline(bytes, aliases);
        const lineCount = bytes.toString("utf8").split("\n").length;
        for (const d of diagnostics) expectWellFormed(d, lineCount);
      }),
      { numRuns: RUNS(600), seed: SEED(20240603) },
    );
  });

  it("random bytes and random text never throw either", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)), fc.string({ unit: "binary", maxLength: 300 }).map((s) => Buffer.from(s))), (bytes) => {
        const lineCount = bytes.toString("utf8").split("\n").length;
        for (const d of pipeline(bytes, false)) expectWellFormed(d, lineCount);
      }),
      { numRuns: RUNS(400), seed: SEED(7) },
    );
  });

  it("the unmutated bases are what the mutations start from: no errors where the base is valid", () => {
    for (const base of BASES.slice(0, 3)) expect(pipeline(Buffer.from(base), true).filter((d) => d.severity === "error")).toEqual([]);
  });
});

describe("mutated descriptors through the built bundle", () => {
  beforeAll(() => {
    if (!existsSync(BUNDLE)) throw new Error(`build the bundle first: npm run build (${BUNDLE})`);
  });
  afterAll(cleanup);

  const samples = fc.sample(brokenDescriptor, { numRuns: 15, seed: 1234 });
  it.each(samples.map((bytes, i) => ({ i, bytes })))("sample $i: exit 0 or 1, report written, no stack trace", ({ bytes }) => {
    const repo = makeRepo({ "cortex.yaml": bytes, ...TREE });
    const run = runBundle(repo, { BITBUCKET_REPO_FULL_NAME: "acme/payments", CODE_INSIGHTS: "false", ALIASES: "acme-cloud" });
    expect([0, 1]).toContain(run.code);
    expect(run.report).toBeDefined();
    expect(run.report!.exitCode).toBe(run.code);
    expect(run.stderr).not.toMatch(/\n\s+at |unexpected failure|Warning:/);
    for (const d of run.report!.diagnostics) expect(CODES).toContain(d.code);
    const own = run.report!.diagnostics.filter((d) => d.file === "cortex.yaml" && d.code !== "DESCRIPTOR_CHANGED");
    for (const d of own) expect(d.line === undefined || d.line >= 1).toBe(true);
  });
});
