import { describe, expect, it } from "vitest";
import { renderJunit } from "../src/publishers/junit.js";
import { renderConsole } from "../src/report/console.js";
import { renderSummary } from "../src/report/summary.js";
import { syntheticReport } from "./helpers/reports.js";

describe("JUnit XML", () => {
  it("has one suite per entity × scorecard and one case per rule, plus the descriptor checks", () => {
    const xml = renderJunit(syntheticReport(3));
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml.match(/<testsuite /g)).toHaveLength(2);
    expect(xml).toContain('<testsuite name="payments / Readiness" tests="3" failures="3" errors="0" skipped="0">');
    expect(xml.match(/<testcase classname="payments \/ Readiness"/g)).toHaveLength(3);
    expect(xml).toContain('<testsuite name="descriptor checks" tests="2" failures="1" skipped="1">');
    expect(xml).toContain('<failure message="wrong repository">wrong repository\nFix: fix it</failure>');
  });

  it("escapes markup and control characters and keeps fields within 2,000 characters", () => {
    const report = syntheticReport(1, { messageLength: 5000 });
    const rules = report.entities[0]!.scorecards[0]!.rules.map((r) => ({ ...r, title: `<b>"x" & y\u0007</b>` }));
    const xml = renderJunit({ ...report, entities: [{ ...report.entities[0]!, scorecards: [{ ...report.entities[0]!.scorecards[0]!, rules }] }] });
    expect(xml).toContain("&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;");
    expect(xml).not.toContain("\u0007");
    const message = /<failure message="(x+)"/.exec(xml)?.[1] ?? "";
    expect(message.length).toBe(2000);
  });

  it("marks skipped rules and rules not yet enforced as skipped, never failed", () => {
    const report = syntheticReport(2);
    const card = report.entities[0]!.scorecards[0]!;
    const rules = [
      { ...card.rules[0]!, commit: { outcome: "skip" as const, message: "deploys() needs data only the catalog collects" } },
      { ...card.rules[1]!, enforced: false },
    ];
    const xml = renderJunit({ ...report, entities: [{ ...report.entities[0]!, scorecards: [{ ...card, rules }] }] });
    expect(xml).toContain('failures="0" errors="0" skipped="2"');
    expect(xml).toContain('<skipped message="deploys() needs data only the catalog collects"/>');
  });
});

describe("summary.md and the console", () => {
  it("shows the default branch against this commit, the gate and what to do next", () => {
    const md = renderSummary(syntheticReport(2));
    expect(md).toContain("# Catalog scorecard: ❌ FAILED");
    expect(md).toContain("| | main (what the catalog reads) | this commit |");
    expect(md).toContain("| Score | 1/2 (50%) | 0/2 (0%) |");
    expect(md).toContain("| error | REPOSITORY_MISMATCH | `cortex.yaml:11:19` | wrong repository | fix it |");
    expect(md).toContain("Rules marked `regression` pass on the default branch today");
  });

  it("prints compiler-style diagnostics and one line per rule", () => {
    const text = renderConsole(syntheticReport(1));
    expect(text).toContain("cortex.yaml:11:19 error REPOSITORY_MISMATCH wrong repository");
    expect(text).toContain("    fix: fix it");
    expect(text).toContain("✔ ✖ Rule 0 [regression] — f0 does not exist in this commit");
    expect(text).toContain("result: FAILED (exit 1)");
  });
});

describe("text from the repository cannot drive the terminal or forge lines", () => {
  it("makes control characters visible in the console and in Markdown", () => {
    const report = syntheticReport(1);
    const card = report.entities[0]!.scorecards[0]!;
    const evil = "x\u001b[2J\nresult: PASSED (exit 0)\u0000<script>";
    const rules = [{ ...card.rules[0]!, title: evil, commit: { outcome: "fail" as const, message: evil } }];
    const hostile = { ...report, entities: [{ ...report.entities[0]!, scorecards: [{ ...card, rules }] }] };
    const text = renderConsole(hostile);
    expect(text).not.toContain("\u001b");
    expect(text).not.toContain("\u0000");
    expect(text.split("\n").filter((l) => l.startsWith("result:"))).toEqual(["result: FAILED (exit 1)"]);
    const md = renderSummary(hostile);
    expect(md).not.toContain("<script>");
    expect(md).toContain("&lt;script&gt;");
  });

  it("says when the gate passed but publishing failed", () => {
    const report = { ...syntheticReport(0, { result: "PASSED" }), exitCode: 3 as const, publish: [{ target: "catalog" as const, status: "failed" as const, detail: "refused (401)" }] };
    expect(renderConsole(report)).toContain("result: PASSED, but publishing to catalog failed (exit 3)");
  });
});
