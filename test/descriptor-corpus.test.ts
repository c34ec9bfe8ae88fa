import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { confirmDescriptor } from "../src/descriptor/confirm.js";
import { validateDescriptor } from "../src/descriptor/validate.js";
import { formatDiagnostic, type Diagnostic } from "../src/diagnostics.js";
import { memoryTree } from "../src/sources/memory-tree.js";
import { loadYaml } from "../src/yaml/load.js";
import { BUNDLE, cleanup, makeRepo, runBundle } from "./helpers/repo.js";

/**
 * Every real-world descriptor in the corpus (copied from ../shared/corpus/descriptors, with
 * index.tsv saying what is odd in each), checked for the exact diagnostics — code, severity,
 * line and column — first through the pure functions, then through the built bundle on a real
 * git repository where the file is committed as cortex.yaml and BITBUCKET_REPO_FULL_NAME is the
 * repository the file came from.
 */
const DIR = path.join(__dirname, "fixtures/descriptors");

interface Row {
  readonly file: string;
  readonly repo: string;
}
const ROWS: Row[] = readFileSync(path.join(DIR, "index.tsv"), "utf8")
  .trim()
  .split("\n")
  .slice(1)
  .map((line) => line.split("\t"))
  .map(([file = "", repo = ""]) => ({ file, repo }));

/** `line:column severity CODE`, the compiler-style head of each expected diagnostic. */
const EXPECTED: Readonly<Record<string, readonly string[]>> = {
  "cortextests__ishan-test-webhooks__cortex.yaml": ["6:5 error PROVIDER_MISMATCH"],
  "cortextests__ishan-test-webhooks__cortex-properties.yaml": ["1:1 error NOT_A_DESCRIPTOR"],
  "maikelorg__gitops-testing__.cortex_cortex.yaml": ["5:5 error PROVIDER_MISMATCH", "6:14 info ALIAS_UNCONFIRMED", "8:17 error BASEPATH_MISSING"],
  "BulkActions__test-repo__.cortex_catalog_argo-rollouts.yaml": ["9:5 error PROVIDER_MISMATCH", "10:19 error REPOSITORY_MISMATCH", "31:3 error YAML_DUPLICATE_KEY"],
  "sans-software__wordpress__cortex.yaml": ["11:5 error PROVIDER_MISMATCH"],
  "sans-software__wordpress__cortex-properties.yaml": ["1:1 error NOT_A_DESCRIPTOR"],
  "cortextests__lb-test1__cortex.yml.yaml": ["7:5 error PROVIDER_MISMATCH"],
  "cortextests__voytek-webhook-test1__cortex.yml.yaml": ["7:5 error PROVIDER_MISMATCH"],
  "Cortex-Customer-Engineering__moneymouth__cortex.yaml": ["12:5 error PROVIDER_MISMATCH", "14:14 info ALIAS_UNCONFIRMED"],
  "Cortex-Customer-Engineering__workshop-rh__cortex.yaml": ["5:3 error TAG_INVALID", "11:5 error PROVIDER_MISMATCH", "13:14 info ALIAS_UNCONFIRMED"],
  "Cortex-Customer-Engineering__workshop-vt__cortex.yaml": ["5:3 error TAG_INVALID", "11:5 error PROVIDER_MISMATCH", "13:14 info ALIAS_UNCONFIRMED"],
  "JupiterOne__graph-bitbucket__cortex.yaml": ["6:5 error PROVIDER_MISMATCH", "11:17 warning TAG_INVALID", "12:3 warning DEPRECATED_KEY"],
  "JupiterOne__data-model__cortex.yaml": ["6:5 error PROVIDER_MISMATCH", "11:17 warning TAG_INVALID", "12:3 warning DEPRECATED_KEY"],
  "Intsights__PyDeduplines__cortex.yaml": ["6:5 error PROVIDER_MISMATCH", "7:14 info ALIAS_UNCONFIRMED"],
  "Intsights__textract__cortex.yaml": ["6:5 error PROVIDER_MISMATCH", "7:14 info ALIAS_UNCONFIRMED"],
  "rapid7__insightcloudsec-actions__cortex.yaml": ["5:5 error PROVIDER_MISMATCH", "6:14 info ALIAS_UNCONFIRMED"],
  "8x8__knox__cortex.yaml": ["5:5 error PROVIDER_MISMATCH", "6:19 error REPOSITORY_MISMATCH", "18:3 warning DEPRECATED_KEY"],
  "8x8__auto_docker_netshoot__cortex.yaml": ["5:5 error PROVIDER_MISMATCH", "18:3 warning DEPRECATED_KEY"],
  "Cimpress__cimpress-cortex__cortex.yml.yaml": ["8:5 error PROVIDER_MISMATCH", "9:19 error REPOSITORY_MISMATCH", "10:17 error TAG_INVALID"],
  "voytekgar__test1__cortex.yaml": ["2:1 error SCHEMA"],
  "voytekgar__test1__cortex.yml.yaml": ["3:3 error SCHEMA", "7:5 error PROVIDER_MISMATCH"],
  "voytekgar__test1__ble_cortex.yaml": ["7:5 error PROVIDER_MISMATCH"],
  "kienan-test__new-repo__cortex.yml.yaml": ["8:5 error PROVIDER_MISMATCH", "9:19 error REPOSITORY_MISMATCH"],
  "kienan-test__new-repo__will-slashes-work_with_slashes_cortex.yml.yaml": ["5:17 warning TAG_INVALID", "8:5 error PROVIDER_MISMATCH", "9:19 error REPOSITORY_MISMATCH"],
  "lukbla__test1__.cortex_catalog_newService.yaml": ["2:1 warning PROVIDER_MISMATCH", "5:17 error TAG_INVALID"],
  "lukbla__test1__.cortex_catalog_newResource.yaml2.yaml": ["2:1 warning PROVIDER_MISMATCH", "5:17 error TAG_INVALID"],
  "lukbla__test1__.cortex_cortex.yaml": ["2:1 warning PROVIDER_MISMATCH"],
  "AbhiSivaprasad__doordash-ml__cortex.yaml": ["1:1 error NOT_A_DESCRIPTOR"],
  "1Optic__cortex-dispatcher__cortex.yaml": ["1:1 error NOT_A_DESCRIPTOR"],
  "EBTURKgit__cortex__cortex.yaml": ["1:1 error NOT_A_DESCRIPTOR"],
  "kareemaly__cortex__.cortex_cortex.yaml": ["1:1 error NOT_A_DESCRIPTOR"],
  "cortexapps__cli__cortexapps_cli_solutions_ai-agents_catalog_address-reviews.yaml": ["12:5 error PROVIDER_MISMATCH", "13:19 error REPOSITORY_MISMATCH", "14:17 error BASEPATH_MISSING"],
  "cortexapps__cli__data_import_catalog_cli-test-service-callee.yaml": ["2:1 warning PROVIDER_MISMATCH"],
  "cortexapps__solutions__examples_yaml_cortex.yaml": ["18:1 warning PROVIDER_MISMATCH", "20:17 error TAG_INVALID"],
};

/** Words each file's diagnostics must contain: the message says what is wrong, in context. */
const MESSAGES: Readonly<Record<string, readonly string[]>> = {
  "BulkActions__test-repo__.cortex_catalog_argo-rollouts.yaml": ['duplicate key "x-cortex-link": it is already defined at line 27', '"test-repo" has no workspace part; this repository is "BulkActions/test-repo"'],
  "Cortex-Customer-Engineering__workshop-rh__cortex.yaml": ["`info.x-cortex-tag` is empty"],
  "Cortex-Customer-Engineering__workshop-vt__cortex.yaml": ["`info.x-cortex-tag` is empty"],
  "Cimpress__cimpress-cortex__cortex.yml.yaml": ['"$SERVICE_NAME" is an unfilled template placeholder', '"$SERVICE_REPO" is an unfilled template placeholder', "descriptor names gitlab"],
  "cortexapps__solutions__examples_yaml_cortex.yaml": ['"<SERVICE_TAG>" is an unfilled template placeholder'],
  "voytekgar__test1__cortex.yaml": ['`info` is required; found "XXinfo" instead'],
  "voytekgar__test1__cortex.yml.yaml": ['`info.title` is required; found "titleX" instead'],
  "8x8__knox__cortex.yaml": ['"8x8/auto_hashicorp_vault_knox" but this repository is "8x8/knox"'],
  "JupiterOne__graph-bitbucket__cortex.yaml": ['"@jupiterone/graph-bitbucket" contains "@", "/"'],
  "lukbla__test1__.cortex_catalog_newService.yaml": ['"new test10" contains whitespace'],
  "kienan-test__new-repo__will-slashes-work_with_slashes_cortex.yml.yaml": ['"kienan/with/slashes" contains "/"'],
  "AbhiSivaprasad__doordash-ml__cortex.yaml": ["is a list, not a catalog descriptor"],
  "cortextests__ishan-test-webhooks__cortex-properties.yaml": ["top-level keys: branches"],
  "kareemaly__cortex__.cortex_cortex.yaml": ["top-level keys: name, extend, architect, ticket, git"],
  "cortextests__ishan-test-webhooks__cortex.yaml": ["this repository is on Bitbucket but the descriptor names github"],
  "maikelorg__gitops-testing__.cortex_cortex.yaml": ['`basepath` "packages/base" is not a directory on main or in this commit'],
};

const head = (d: Diagnostic) => `${d.line}:${d.column} ${d.severity} ${d.code}`;
const byPlace = (a: string, b: string) => {
  const [la = 0, ca = 0] = a.split(" ")[0]!.split(":").map(Number);
  const [lb = 0, cb = 0] = b.split(" ")[0]!.split(":").map(Number);
  return la - lb || ca - cb || a.localeCompare(b);
};

function pure(row: Row): Diagnostic[] {
  const bytes = readFileSync(path.join(DIR, row.file));
  const y = loadYaml("cortex.yaml", bytes);
  if (!y.loaded) return y.diagnostics;
  const v = validateDescriptor(y.loaded);
  if (!v.descriptor) return [...y.diagnostics, ...v.diagnostics];
  // The repository as the bundle test builds it: the descriptor alone, on main.
  const tree = (label: string) => memoryTree({ "cortex.yaml": bytes }, label);
  const ctx = { repository: { fullName: row.repo, source: "BITBUCKET_REPO_FULL_NAME" }, aliases: undefined, defaultTree: tree("main"), headTree: tree("this commit") };
  return [...y.diagnostics, ...v.diagnostics, ...confirmDescriptor(v.descriptor, ctx)];
}

describe("the descriptor corpus, through the pure functions", () => {
  it("has an expectation for every file in the folder and the index", () => {
    const files = readdirSync(DIR).filter((f) => f !== "index.tsv" && f.endsWith(".yaml"));
    expect(ROWS.map((r) => r.file).sort()).toEqual(files.sort());
    expect(Object.keys(EXPECTED).sort()).toEqual(files.sort());
  });

  it.each(ROWS)("$file", (row) => {
    const diagnostics = pure(row);
    expect(diagnostics.map(head).sort(byPlace)).toEqual([...(EXPECTED[row.file] ?? [])].sort(byPlace));
    for (const d of diagnostics) {
      expect(d).toMatchObject({ file: "cortex.yaml", hint: expect.any(String), frame: expect.any(String) });
      expect(d.message.length).toBeGreaterThan(10);
    }
    const text = diagnostics.map((d) => d.message).join("\n");
    for (const words of MESSAGES[row.file] ?? []) expect(text).toContain(words);
  });

  it("validates the 320 KB full OpenAPI descriptor without errors, quickly", () => {
    const row = ROWS.find((r) => r.file.includes("cli-test-service-callee"))!;
    const started = Date.now();
    const diagnostics = pure(row);
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

describe("the descriptor corpus, through the built bundle on real repositories", () => {
  beforeAll(() => {
    if (!existsSync(BUNDLE)) throw new Error(`build the bundle first: npm run build (${BUNDLE})`);
  });
  afterAll(cleanup);

  it.each(ROWS)("$file", (row) => {
    const repo = makeRepo({ "cortex.yaml": readFileSync(path.join(DIR, row.file)) });
    const run = runBundle(repo, { BITBUCKET_REPO_FULL_NAME: row.repo, CODE_INSIGHTS: "false" });
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const report = run.report!;
    const own = report.diagnostics.filter((d) => d.file === "cortex.yaml");
    // The bundle reports exactly what the pure functions do, in the report's stable order.
    const expected = pure(row);
    expect(own.map(head).sort(byPlace)).toEqual(expected.map(head).sort(byPlace));
    expect(own.map((d) => d.message).sort()).toEqual(expected.map((d) => d.message).sort());
    const errors = expected.some((d) => d.severity === "error");
    expect(run.code).toBe(errors ? 1 : 0);
    expect(report.exitCode).toBe(run.code);
    // Printed like a compiler: `cortex.yaml:31:3 error YAML_DUPLICATE_KEY duplicate key …`.
    for (const d of own) expect(run.stdout).toContain(formatDiagnostic(d));
  });
});
