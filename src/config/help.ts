import { flagName, VARIABLES } from "./variables.js";

export function helpText(version: string): string {
  const rows = VARIABLES.map((v) => {
    const flag = v.kind === "secret" ? "(env only)" : flagName(v.name);
    const def = "default" in v && v.default ? ` [default: ${v.default}]` : "";
    return `  ${v.name.padEnd(24)} ${flag.padEnd(26)} ${v.usage.replace(/`/g, "")}${def}`;
  });
  return [
    `catalog-scorecard-pipe ${version}`,
    "",
    "Validates the catalog descriptor (cortex.yaml) and runs the scorecard rules that concern files",
    "against the default branch (what the catalog reads) and against this commit.",
    "",
    "Usage: node dist/pipe.cjs [--flag value ...]   (run inside the repository)",
    "",
    "Variables (environment) and their flags:",
    ...rows,
    "",
    "Exit status: 0 gate passed · 1 gate failed · 2 configuration or usage error · 3 environment or service failure",
  ].join("\n");
}
