/** Small builders for descriptor and scorecard YAML used across tests. */
export function descriptorYaml(o: { tag?: string; repository?: string; basepath?: string; alias?: string; extra?: string } = {}): string {
  const lines = [
    "openapi: 3.0.1",
    "info:",
    `  title: ${o.tag ?? "payments"}`,
    `  x-cortex-tag: ${o.tag ?? "payments"}`,
    "  x-cortex-type: service",
    "  x-cortex-owners:",
    "    - type: GROUP",
    "      name: team-payments",
    "  x-cortex-git:",
    "    bitbucket:",
    `      repository: ${o.repository ?? "acme/payments"}`,
  ];
  if (o.basepath !== undefined) lines.push(`      basepath: ${o.basepath}`);
  if (o.alias !== undefined) lines.push(`      alias: ${o.alias}`);
  if (o.extra) lines.push(o.extra);
  return `${lines.join("\n")}\n`;
}

export interface RuleSpec {
  readonly id: string;
  readonly expression: string;
  readonly level?: string;
  readonly weight?: number;
  readonly effectiveFrom?: string;
}

export function scorecardYaml(rules: readonly RuleSpec[], o: { tag?: string; name?: string; draft?: boolean } = {}): string {
  const out = [
    `tag: ${o.tag ?? "readiness"}`,
    `name: ${o.name ?? "Readiness"}`,
    ...(o.draft ? ["draft: true"] : []),
    "ladder:",
    "  levels:",
    "    - name: Bronze",
    "      rank: 1",
    "    - name: Silver",
    "      rank: 2",
    "rules:",
  ];
  for (const r of rules) {
    out.push(`  - title: ${r.id}`, `    identifier: ${r.id}`, `    expression: ${JSON.stringify(r.expression)}`, `    weight: ${r.weight ?? 1}`, `    level: ${r.level ?? "Bronze"}`);
    if (r.effectiveFrom) out.push(`    effectiveFrom: ${r.effectiveFrom}`);
  }
  return `${out.join("\n")}\n`;
}
