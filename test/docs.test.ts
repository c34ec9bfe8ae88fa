import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { VARIABLES } from "../src/config/variables.js";
import { DIAGNOSTIC_CODES } from "../src/diagnostics.js";

/** Generated or duplicated documentation must not drift from the code. */
const root = path.resolve(__dirname, "..");
const read = (f: string) => readFileSync(path.join(root, f), "utf8");
const version = JSON.parse(read("package.json")).version as string;

describe("documentation drift", () => {
  it("the README's Variables table is what scripts/variables-table.mjs generates", () => {
    const table = execFileSync(process.execPath, ["scripts/variables-table.mjs"], { cwd: root, encoding: "utf8" }).trim();
    expect(read("README.md")).toContain(table);
  });

  it("the README's YAML Definition lists every variable, secrets as $VARIABLES", () => {
    const readme = read("README.md");
    const definition = readme.slice(readme.indexOf("## YAML Definition"), readme.indexOf("## Variables"));
    for (const v of VARIABLES) {
      expect(definition).toContain(`# ${v.name}:`);
      if (v.kind === "secret") expect(definition).toContain(`${v.name}: $${v.name}`);
    }
  });

  it("pipe.yml, the README and the Dockerfile carry package.json's version", () => {
    const pipe = parse(read("pipe.yml")) as Record<string, unknown>;
    expect(pipe.image).toBe(`catalog-scorecard/catalog-scorecard-pipe:${version}`);
    for (const key of ["name", "image", "category", "description", "repository", "maintainer", "tags"]) expect(pipe).toHaveProperty(key);
    const refs = [...read("README.md").matchAll(/catalog-scorecard-pipe:(\d+\.\d+\.\d+)/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(3);
    expect(new Set(refs)).toEqual(new Set([version]));
    expect(read("Dockerfile")).toContain(`ARG VERSION=${version}`);
  });

  it("the README names every diagnostic code the contract requires", () => {
    const readme = read("README.md");
    for (const code of ["CONFIG", "DESCRIPTOR_NOT_FOUND", "NOT_A_DESCRIPTOR", "YAML_SYNTAX", "YAML_DUPLICATE_KEY", "YAML_LIMIT", "SCHEMA", "UNKNOWN_KEY", "TAG_INVALID", "DUPLICATE_TAG", "PROVIDER_MISMATCH", "REPOSITORY_MISMATCH", "ALIAS_UNKNOWN", "BASEPATH_INVALID", "BASEPATH_MISSING", "BASEPATH_SPELLING", "SCORECARD_SCHEMA", "CQL_SYNTAX", "CATALOG_DRIFT", "DEFAULT_BRANCH_UNRESOLVED", "PUBLISH_FAILED"]) {
      expect(DIAGNOSTIC_CODES).toContain(code);
      expect(readme).toContain(`\`${code}\``);
    }
  });
});
