import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Report } from "../report/model.js";
import { renderSummary } from "../report/summary.js";
import { renderJunit } from "./junit.js";
import { writeFileNoFollow as writeFile } from "./output-paths.js";

export interface WrittenFiles {
  readonly report: string;
  readonly summary: string;
  readonly junit: string | undefined;
  readonly payloads: string[];
}

/** The names of the files the pipe writes, for checking them before the run. */
export function outputFiles(options: { outputDir: string; junitFile: string | undefined }): { name: string; files: string[] }[] {
  const inDir = ["report.json", "summary.md", "insights-report.json", "insights-annotations.json", "catalog-custom-data.json"].map((f) => path.join(options.outputDir, f));
  return [
    { name: "OUTPUT_DIR", files: [options.outputDir, ...inDir] },
    ...(options.junitFile ? [{ name: "JUNIT_FILE", files: [options.junitFile] }] : []),
  ];
}

/** Writes report.json, summary.md and the JUnit file: the only files the pipe creates. */
export async function writeReportFiles(report: Report, options: { cwd: string; outputDir: string; junitFile: string | undefined; payloads?: Record<string, unknown> }): Promise<WrittenFiles> {
  const dir = path.resolve(options.cwd, options.outputDir);
  await mkdir(dir, { recursive: true });
  const reportPath = path.join(dir, "report.json");
  const summaryPath = path.join(dir, "summary.md");
  await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(summaryPath, renderSummary(report));
  let junit: string | undefined;
  if (options.junitFile) {
    junit = path.resolve(options.cwd, options.junitFile);
    await writeFile(junit, renderJunit(report));
  }
  const payloads: string[] = [];
  for (const [name, value] of Object.entries(options.payloads ?? {})) {
    const file = path.join(dir, name);
    await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
    payloads.push(file);
  }
  return { report: reportPath, summary: summaryPath, junit, payloads };
}
