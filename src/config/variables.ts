/**
 * The pipe's variables, in one table. The config parser, `--help`, the README's Variables table
 * and `pipe.yml` are all derived from (or tested against) this list, so they cannot drift apart.
 */
export type VariableKind = "string" | "list" | "boolean" | "enum" | "number" | "secret";

export interface VariableSpec {
  readonly name: string;
  readonly kind: VariableKind;
  /** Shown in docs; `undefined` means "no default". */
  readonly default?: string;
  readonly values?: readonly string[];
  readonly usage: string;
}

export const VARIABLES = [
  {
    name: "DESCRIPTOR",
    kind: "list",
    default: "cortex.yaml, else cortex.yml",
    usage: "Path(s) or glob(s) of entity descriptors, repository-relative. A monorepo lists several (`services/*/cortex.yaml`).",
  },
  {
    name: "SCORECARDS",
    kind: "list",
    default: ".cortex/scorecards/*.yaml, .cortex/scorecards/*.yml",
    usage: "Path(s) or glob(s) of scorecard files in the catalog's scorecard YAML.",
  },
  {
    name: "SCORECARD_TAGS",
    kind: "list",
    usage: "Tags of scorecards to fetch from the catalog API (needs `CORTEX_API_KEY`).",
  },
  {
    name: "DEFAULT_BRANCH",
    kind: "string",
    default: "discovered",
    usage: "Name of the branch the catalog reads. Discovered from `origin` when not set.",
  },
  {
    name: "FAIL_ON",
    kind: "enum",
    default: "failure",
    values: ["failure", "regression", "never"],
    usage: "`failure`: any failing rule in this commit fails the build; `regression`: only rules that pass on the default branch and fail in this commit; `never`: rules never fail the build.",
  },
  { name: "REQUIRED_LEVEL", kind: "string", usage: "Ladder level this commit must reach in every applicable scorecard (e.g. `Silver`)." },
  { name: "MIN_SCORE", kind: "number", usage: "Minimum percentage (0–100) this commit must reach in every applicable scorecard." },
  {
    name: "ALIASES",
    kind: "list",
    usage: "Account aliases configured in the catalog, to confirm `x-cortex-git.bitbucket.alias` without the catalog API.",
  },
  {
    name: "CORTEX_API_KEY",
    kind: "secret",
    usage: "Catalog API key (secured variable). Enables publishing, fetching scorecards, server-side validation and drift checks.",
  },
  { name: "CORTEX_API_URL", kind: "string", default: "https://api.getcortexapp.com", usage: "Catalog API base URL (self-managed installs)." },
  {
    name: "CATALOG_PUBLISH",
    kind: "enum",
    default: "auto",
    values: ["auto", "always", "never"],
    usage: "`auto`: post results to the catalog only when this commit is the default branch's head; `always`; `never`.",
  },
  { name: "CATALOG_KEY", kind: "string", default: "ci-scorecard", usage: "Custom-data key the results are posted under." },
  { name: "CODE_INSIGHTS", kind: "boolean", default: "true", usage: "Post a Code Insights report on the commit." },
  { name: "REPORT_ID", kind: "string", default: "catalog-scorecard", usage: "Code Insights report id (at most 50 characters)." },
  {
    name: "BITBUCKET_ACCESS_TOKEN",
    kind: "secret",
    usage: "Bearer access token for Bitbucket REST (needed outside the Pipelines proxy and for Data Center).",
  },
  { name: "BITBUCKET_USERNAME", kind: "string", usage: "User for Basic auth with `BITBUCKET_API_TOKEN` (Bitbucket Cloud API token)." },
  { name: "BITBUCKET_API_TOKEN", kind: "secret", usage: "Bitbucket Cloud API token, with `BITBUCKET_USERNAME`." },
  {
    name: "BITBUCKET_SERVER_URL",
    kind: "string",
    usage: "Base URL of Bitbucket Server / Data Center; switches reports to the Data Center Insights API.",
  },
  { name: "BITBUCKET_API_URL", kind: "string", default: "https://api.bitbucket.org/2.0", usage: "Bitbucket Cloud API base URL override." },
  { name: "OUTPUT_DIR", kind: "string", default: "scorecard-reports", usage: "Where `report.json` and `summary.md` are written." },
  {
    name: "JUNIT_FILE",
    kind: "string",
    default: "test-results/catalog-scorecard.xml",
    usage: "JUnit XML output, shown in the Pipelines Tests tab. Empty disables it.",
  },
  {
    name: "DRY_RUN",
    kind: "boolean",
    default: "false",
    usage: "Evaluate, and write the payloads that would be posted to `OUTPUT_DIR`; post nothing. With `CORTEX_API_KEY` the catalog is still read (scorecards, validation, drift).",
  },
  { name: "DEBUG", kind: "boolean", default: "false", usage: "Verbose logs (git commands, HTTP timings); secrets stay redacted." },
] as const satisfies readonly VariableSpec[];

export type VariableName = (typeof VARIABLES)[number]["name"];

/** `FAIL_ON` → `--fail-on`. */
export function flagName(name: string): string {
  return `--${name.toLowerCase().replace(/_/g, "-")}`;
}
