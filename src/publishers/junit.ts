import type { Report } from "../report/model.js";

/** Pipelines' Tests tab shows fields up to 2000 characters (FACTS.md). */
const FIELD_LIMIT = 2000;

function esc(text: string): string {
  return text
    .slice(0, FIELD_LIMIT)
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/**
 * JUnit XML: one suite per entity × scorecard, one case per rule (this commit's outcome);
 * descriptor and scorecard diagnostics form their own suite so an invalid descriptor shows up
 * in the Tests tab too.
 */
export function renderJunit(report: Report): string {
  const suites: string[] = [];
  const errors = report.diagnostics.filter((d) => d.severity === "error");
  {
    const cases = report.diagnostics
      .filter((d) => d.severity !== "info")
      .map((d) => {
        const name = `${d.code}${d.file ? ` ${d.file}${d.line ? `:${d.line}` : ""}` : ""}`;
        const body = `${d.message}${d.hint ? `\nFix: ${d.hint}` : ""}`;
        return d.severity === "error"
          ? `    <testcase classname="descriptor" name="${esc(name)}"><failure message="${esc(d.message)}">${esc(body)}</failure></testcase>`
          : `    <testcase classname="descriptor" name="${esc(name)}"><skipped message="${esc(`warning: ${d.message}`)}"/></testcase>`;
      });
    if (!cases.length) cases.push(`    <testcase classname="descriptor" name="descriptors are valid"/>`);
    const warnings = report.diagnostics.filter((d) => d.severity === "warning").length;
    suites.push(`  <testsuite name="descriptor checks" tests="${cases.length}" failures="${errors.length}" skipped="${warnings}">\n${cases.join("\n")}\n  </testsuite>`);
  }
  for (const e of report.entities) {
    for (const c of e.scorecards) {
      const suite = `${e.tag ?? e.descriptor} / ${c.name}`;
      const cases = c.rules.map((r) => {
        const name = `${r.title} [${r.identifier}]`;
        const o = r.commit;
        const msg = o.message ?? "";
        if (o.outcome === "fail" || o.outcome === "error") {
          const tag = r.enforced && !c.draft ? (o.outcome === "error" ? "error" : "failure") : "skipped";
          const text = `${msg}\nExpression: ${r.expression}\n${report.defaultBranch.name}: ${r.defaultBranch.outcome}${r.defaultBranch.message ? ` — ${r.defaultBranch.message}` : ""}`;
          return tag === "skipped"
            ? `    <testcase classname="${esc(suite)}" name="${esc(name)}"><skipped message="${esc(`not enforced: ${msg}`)}"/></testcase>`
            : `    <testcase classname="${esc(suite)}" name="${esc(name)}"><${tag} message="${esc(msg)}">${esc(text)}</${tag}></testcase>`;
        }
        if (o.outcome === "skip") return `    <testcase classname="${esc(suite)}" name="${esc(name)}"><skipped message="${esc(msg)}"/></testcase>`;
        return `    <testcase classname="${esc(suite)}" name="${esc(name)}"/>`;
      });
      const failures = c.rules.filter((r) => r.commit.outcome === "fail" && r.enforced && !c.draft).length;
      const errs = c.rules.filter((r) => r.commit.outcome === "error" && r.enforced && !c.draft).length;
      const skipped = c.rules.length - failures - errs - c.rules.filter((r) => r.commit.outcome === "pass").length;
      suites.push(`  <testsuite name="${esc(suite)}" tests="${c.rules.length}" failures="${failures}" errors="${errs}" skipped="${skipped}">\n${cases.join("\n")}\n  </testsuite>`);
    }
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="catalog-scorecard">\n${suites.join("\n")}\n</testsuites>\n`;
}
