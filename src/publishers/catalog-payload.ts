import type { Report } from "../report/model.js";

/**
 * The custom-data value posted to each entity: the DEFAULT branch's results, which is what the
 * catalog itself reads, so catalog rules can use `custom("ci-scorecard")`.
 */
export function catalogPayload(report: Report, tag: string, evaluatedAt: string): unknown {
  const entity = report.entities.find((e) => e.tag === tag);
  return {
    schemaVersion: 1,
    tool: report.tool,
    repository: report.repository,
    branch: report.defaultBranch.name,
    commit: report.defaultBranch.commit,
    evaluatedAt,
    ...(report.pipelineUrl ? { pipelineUrl: report.pipelineUrl } : {}),
    descriptorValid: entity?.valid ?? false,
    scorecards: (entity?.scorecards ?? []).map((c) => ({
      tag: c.tag,
      name: c.name,
      score: c.defaultBranch.score,
      total: c.defaultBranch.total,
      percentage: c.defaultBranch.percentage,
      level: c.defaultBranch.level,
      rules: c.rules.map((r) => ({ identifier: r.identifier, outcome: r.defaultBranch.outcome, ...(r.defaultBranch.message ? { message: r.defaultBranch.message } : {}) })),
    })),
  };
}
