import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DIAGNOSTIC_CODES } from "../src/diagnostics.js";

/** docs/diagnostics.md documents every diagnostic code: the contract users filter on. */
describe("docs/diagnostics.md", () => {
  const doc = readFileSync(path.join(__dirname, "../docs/diagnostics.md"), "utf8");
  const headings = [...doc.matchAll(/^### ([A-Z_]+)$/gm)].map((m) => m[1]);

  it("has a section for every code in DIAGNOSTIC_CODES, and none for codes that do not exist", () => {
    expect([...headings].sort()).toEqual([...DIAGNOSTIC_CODES].sort());
  });

  it("gives each code a severity, a trigger or example, and a fix", () => {
    for (const section of doc.split(/^### /m).filter((s) => /^[A-Z_]+\n/.test(s))) {
      const code = section.split("\n")[0];
      expect(section, code).toMatch(/\*\*Severity\*\*/);
      expect(section, code).toMatch(/\*\*Fix\*\*/);
    }
  });
});
