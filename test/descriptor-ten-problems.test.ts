import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUNDLE, cleanup, makeRepo, runBundle } from "./helpers/repo.js";

/**
 * The bar: "a descriptor with ten different problems produces ten diagnostics at ten
 * correct places in one run" — through the built bundle, on a real repository.
 */
beforeAll(() => {
  if (!existsSync(BUNDLE)) throw new Error(`build the bundle first: npm run build (${BUNDLE})`);
});
afterAll(cleanup);

const LINES = [
  /*  1 */ "openapi: 3.0.1",
  /*  2 */ "info:",
  /*  3 */ "  title: [Payments]", // a list where text belongs
  /*  4 */ "  x-cortex-tag: payments api", // a space in the tag
  /*  5 */ "  x-cortex-type: service",
  /*  6 */ "  description: Caf\u00e9 payments", // saved as Latin-1 below: not UTF-8
  /*  7 */ "  x-cortex-onwers:", // misspelt key
  /*  8 */ "    - type: GROUP",
  /*  9 */ "      name: team-payments",
  /* 10 */ "  x-cortex-owners:",
  /* 11 */ "    - type: TEAM", // not an owner type
  /* 12 */ "      name: payments",
  /* 13 */ "  x-cortex-git:",
  /* 14 */ "    bitbucket:",
  /* 15 */ "      repository: acme/billing", // another repository
  /* 16 */ "      alias: acme-clod", // misspelt alias
  /* 17 */ "      basePath: services/payments", // old spelling, and the directory is services/Payments
  /* 18 */ "  x-cortex-type: service", // duplicate key
];

describe("a descriptor with ten different problems", () => {
  it("produces ten diagnostics at ten correct places in one run", () => {
    const repo = makeRepo({
      "cortex.yaml": Buffer.from(`${LINES.join("\n")}\n`, "latin1"),
      "services/Payments/main.ts": "export {};\n",
    });
    const run = runBundle(repo, { BITBUCKET_REPO_FULL_NAME: "acme/payments", ALIASES: "acme-cloud,acme-onprem", CODE_INSIGHTS: "false" });
    expect(run.code).toBe(1);
    const found = run.report!.diagnostics
      .filter((d) => d.file === "cortex.yaml")
      .map((d) => ({ at: `${d.line}:${d.column}`, severity: d.severity, code: d.code, message: d.message, hint: d.hint }));

    expect(found).toHaveLength(10);
    expect(found).toEqual(
      expect.arrayContaining([
        { at: "3:10", severity: "error", code: "SCHEMA", message: "`info.title` must be a string, found a list", hint: expect.stringContaining("Write it as text") },
        { at: "4:17", severity: "error", code: "TAG_INVALID", message: '`info.x-cortex-tag` "payments api" contains whitespace', hint: expect.stringContaining('"payments-api"') },
        { at: "6:19", severity: "warning", code: "ENCODING", message: expect.stringContaining("not valid UTF-8"), hint: expect.stringContaining("UTF-8") },
        {
          at: "7:3",
          severity: "warning",
          code: "UNKNOWN_KEY",
          message: 'unknown catalog key "x-cortex-onwers" in info (the catalog ignores it); did you mean "x-cortex-owners"?',
          hint: 'Rename "x-cortex-onwers" to "x-cortex-owners".',
        },
        { at: "11:13", severity: "error", code: "SCHEMA", message: expect.stringContaining('must be one of GROUP, EMAIL, SLACK, found the string "TEAM"'), hint: expect.any(String) },
        { at: "15:19", severity: "error", code: "REPOSITORY_MISMATCH", message: expect.stringContaining('"acme/billing" but this repository is "acme/payments"'), hint: expect.stringContaining("repository: acme/payments") },
        { at: "16:14", severity: "error", code: "ALIAS_UNKNOWN", message: expect.stringContaining('did you mean "acme-cloud"?'), hint: "Set alias: acme-cloud" },
        { at: "17:7", severity: "warning", code: "DEPRECATED_KEY", message: "`basePath` is read as `basepath`", hint: expect.stringContaining("Rename it to `basepath`") },
        { at: "17:17", severity: "error", code: "BASEPATH_SPELLING", message: expect.stringContaining('"services/Payments" does'), hint: "Set basepath: services/Payments" },
        { at: "18:3", severity: "error", code: "YAML_DUPLICATE_KEY", message: 'duplicate key "x-cortex-type": it is already defined at line 5, column 3', hint: expect.any(String) },
      ]),
    );
    // Printed like a compiler, each with a code frame and its fix.
    for (const d of found.filter((x) => x.severity !== "info")) {
      expect(run.stdout).toContain(`cortex.yaml:${d.at} ${d.severity} ${d.code} ${d.message}`);
    }
    expect(run.stdout).toMatch(/> 17 \|\s+basePath: services\/payments\n\s+\| {17}\^/);
    expect(run.stdout).toContain("fix: Set basepath: services/Payments");
  });
});
