import { describe, expect, it } from "vitest";
import { CLOUD_LIMITS, DC_LIMITS, renderCloud, renderDataCenter } from "../src/publishers/insights-render.js";
import { syntheticReport } from "./helpers/reports.js";

describe("Cloud Code Insights renderer", () => {
  it("stays within every platform limit with 2,500 findings and counts what did not fit", () => {
    const r = renderCloud(syntheticReport(2500), "catalog-scorecard");
    expect(r.total).toBe(2502);
    expect(r.annotations).toHaveLength(1000);
    expect(r.notShown).toBe(1502);
    expect(r.report.details).toContain("1502 more findings not shown — see the pipeline's report.json");
    expect(r.report.data.length).toBeLessThanOrEqual(CLOUD_LIMITS.data);
    for (const a of r.annotations) {
      expect(a.summary.length).toBeGreaterThan(0);
      expect(a.summary.length).toBeLessThanOrEqual(450);
      if (a.line !== undefined) expect(a.line).toBeGreaterThanOrEqual(1);
    }
    expect(new Set(r.annotations.map((a) => a.external_id)).size).toBe(1000);
  });

  it("puts the most important findings first: regressions, then errors", () => {
    const r = renderCloud(syntheticReport(300), "x");
    expect(r.annotations[0]).toMatchObject({ severity: "CRITICAL", summary: expect.stringMatching(/^Regression: /) });
    const firstHigh = r.annotations.findIndex((a) => a.severity === "HIGH");
    const firstMedium = r.annotations.findIndex((a) => a.severity === "MEDIUM");
    expect(firstHigh).toBeLessThan(firstMedium);
  });

  it("clips long summaries and keeps ids stable across runs", () => {
    const a = renderCloud(syntheticReport(3, { messageLength: 5000 }), "x");
    const b = renderCloud(syntheticReport(3, { messageLength: 5000 }), "x");
    const rules = a.annotations.filter((x) => x.summary.includes("Readiness"));
    expect(rules).toHaveLength(3);
    expect(rules.every((x) => x.summary.length === 450 && x.summary.endsWith("…"))).toBe(true);
    expect(a.annotations.map((x) => x.external_id)).toEqual(b.annotations.map((x) => x.external_id));
  });

  it("renders the report shape (snapshot)", () => {
    const r = renderCloud(syntheticReport(2), "catalog-scorecard");
    expect(r.report).toMatchInlineSnapshot(`
      {
        "data": [
          {
            "title": "Descriptor valid",
            "type": "BOOLEAN",
            "value": false,
          },
          {
            "title": "Score",
            "type": "PERCENTAGE",
            "value": 0,
          },
          {
            "title": "Score on main",
            "type": "PERCENTAGE",
            "value": 50,
          },
          {
            "title": "Level",
            "type": "TEXT",
            "value": "none",
          },
          {
            "title": "Rules passed",
            "type": "TEXT",
            "value": "0/2",
          },
          {
            "title": "Regressions",
            "type": "NUMBER",
            "value": 1,
          },
          {
            "title": "Fixed",
            "type": "NUMBER",
            "value": 0,
          },
          {
            "title": "Skipped (catalog data)",
            "type": "NUMBER",
            "value": 0,
          },
          {
            "title": "Descriptor problems",
            "type": "NUMBER",
            "value": 1,
          },
          {
            "title": "Pipeline",
            "type": "LINK",
            "value": {
              "href": "https://bitbucket.org/acme/payments/pipelines/results/42",
              "text": "#42",
            },
          },
        ],
        "details": "The catalog scorecard gate failed: rules fail. Default branch main (what the catalog reads) vs this commit.",
        "external_id": "catalog-scorecard",
        "link": "https://bitbucket.org/acme/payments/pipelines/results/42",
        "report_type": "BUG",
        "reporter": "catalog-scorecard-pipe",
        "result": "FAILED",
        "title": "Catalog scorecard",
      }
    `);
  });
});

describe("Data Center Code Insights renderer", () => {
  it("uses Data Center's shapes and limits", () => {
    const r = renderDataCenter(syntheticReport(1200));
    expect(r.report.result).toBe("FAIL");
    expect(r.report.data.length).toBeGreaterThanOrEqual(1);
    expect(r.report.data.length).toBeLessThanOrEqual(DC_LIMITS.data);
    expect(r.annotations).toHaveLength(1000);
    expect(r.annotations.some((a) => (a.severity as string) === "CRITICAL")).toBe(false);
    for (const a of r.annotations) expect(a.message.length).toBeLessThanOrEqual(2000);
    expect(r.annotations[0]).toHaveProperty("externalId");
    expect(r.annotations[0]).not.toHaveProperty("annotation_type");
  });

  it("writes LINK values as {linktext, href}", () => {
    const report = { ...syntheticReport(0, { result: "PASSED" }), diagnostics: [], entities: [] };
    const r = renderDataCenter(report);
    expect(r.report.result).toBe("PASS");
    expect(r.annotations).toEqual([]);
  });
});
