import path from "node:path";
import { ConfigError } from "../errors.js";
import { Secret, secretForms } from "../secret.js";
import { readBoolean, readEnum, readList, readPercentage, readUrl } from "./read.js";
import { flagName, VARIABLES } from "./variables.js";

export type FailOn = "failure" | "regression" | "never";
export type CatalogPublish = "auto" | "always" | "never";

/** Where Code Insights reports go, decided once from the variables. */
export type InsightsTarget =
  | { readonly kind: "none"; readonly reason: string }
  | {
      readonly kind: "cloud";
      readonly apiUrl: string;
      /** `proxy`: Pipelines' auth proxy injects credentials, so no token is sent. */
      readonly auth:
        | { readonly kind: "proxy"; readonly proxyUrl: string }
        | { readonly kind: "bearer"; readonly token: Secret }
        | { readonly kind: "basic"; readonly username: string; readonly token: Secret };
    }
  | { readonly kind: "data-center"; readonly serverUrl: string; readonly token: Secret };

/** What Pipelines tells us about the build (FACTS.md, "Pipelines environment"). */
export interface BuildEnv {
  readonly inPipelines: boolean;
  readonly inPipe: boolean;
  readonly repoFullName?: string;
  readonly commit?: string;
  readonly branch?: string;
  readonly tag?: string;
  readonly prId?: string;
  readonly prDestinationBranch?: string;
  readonly buildNumber?: string;
  readonly pipelineUuid?: string;
  readonly stepUuid?: string;
  readonly gitHttpOrigin?: string;
  readonly cloneDir?: string;
}

export interface PipeConfig {
  readonly cwd: string;
  readonly descriptors: readonly string[] | undefined;
  readonly scorecards: readonly string[] | undefined;
  readonly scorecardTags: readonly string[];
  readonly defaultBranch: string | undefined;
  readonly failOn: FailOn;
  readonly requiredLevel: string | undefined;
  readonly minScore: number | undefined;
  readonly aliases: readonly string[] | undefined;
  readonly catalog: {
    readonly apiKey: Secret | undefined;
    readonly apiUrl: string;
    readonly publish: CatalogPublish;
    readonly key: string;
  };
  readonly codeInsights: boolean;
  readonly reportId: string;
  readonly insights: InsightsTarget;
  readonly outputDir: string;
  readonly junitFile: string | undefined;
  readonly dryRun: boolean;
  readonly debug: boolean;
  readonly color: boolean;
  readonly build: BuildEnv;
  /** Every secret, so the logger can scrub free text it did not build itself. */
  readonly secrets: readonly Secret[];
}

export type Env = Readonly<Record<string, string | undefined>>;

/** `problems`: bad flags, reported together with the variables' problems by loadConfig. */
export type ParsedArgs = { readonly kind: "run"; readonly env: Env; readonly problems: readonly string[] } | { readonly kind: "help" } | { readonly kind: "version" };

const KNOWN_FLAGS = new Map<string, string>(VARIABLES.map((v) => [flagName(v.name), v.name]));

/**
 * Flags mirror the variables (`--fail-on regression` ≡ `FAIL_ON=regression`) and win over them.
 * A list flag may repeat. The result is an env overlay, so one parser serves both forms.
 */
export function parseArgs(argv: readonly string[], env: Env): ParsedArgs {
  const overlay: Record<string, string> = {};
  const lists = new Map<string, string[]>();
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--help" || arg === "-h") return { kind: "help" };
    if (arg === "--version" || arg === "-v") return { kind: "version" };
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const name = KNOWN_FLAGS.get(flag);
    if (!name || name.endsWith("_TOKEN") || name.endsWith("_KEY")) {
      // Secrets on a command line end up in shell history and `ps`: only the env carries them.
      problems.push(
        name
          ? `${flag} is not accepted as a flag because it is a secret; set ${name} in the environment.`
          : `Unknown argument "${arg}". See --help.`,
      );
      continue;
    }
    let value: string | undefined;
    if (eq > 0) value = arg.slice(eq + 1);
    else if (VARIABLES.find((v) => v.name === name)?.kind === "boolean" && !(argv[i + 1] ?? "").match(/^(true|false)$/i)) value = "true";
    else value = argv[++i];
    if (value === undefined) {
      problems.push(`${flag} needs a value.`);
      continue;
    }
    if (VARIABLES.find((v) => v.name === name)?.kind === "list") lists.set(name, [...(lists.get(name) ?? []), value]);
    else overlay[name] = value;
  }
  const merged: Record<string, string | undefined> = { ...env, ...overlay };
  for (const [name, values] of lists) {
    merged[name] = values.join("\n");
    delete merged[`${name}_COUNT`];
  }
  return { kind: "run", env: merged, problems };
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}

export function readBuildEnv(env: Env): BuildEnv {
  const pick = (k: string) => nonEmpty(env[k]);
  const build: Record<string, string | boolean | undefined> = {
    inPipelines: Boolean(pick("BITBUCKET_BUILD_NUMBER") || pick("BITBUCKET_PIPELINE_UUID")),
    // Only a pipe container gets the pipe storage dirs: that is how a pipe knows it is one.
    inPipe: Boolean(pick("BITBUCKET_PIPE_STORAGE_DIR") || pick("BITBUCKET_PIPE_SHARED_STORAGE_DIR")),
    repoFullName: pick("BITBUCKET_REPO_FULL_NAME"),
    commit: pick("BITBUCKET_COMMIT"),
    branch: pick("BITBUCKET_BRANCH"),
    tag: pick("BITBUCKET_TAG"),
    prId: pick("BITBUCKET_PR_ID"),
    prDestinationBranch: pick("BITBUCKET_PR_DESTINATION_BRANCH"),
    buildNumber: pick("BITBUCKET_BUILD_NUMBER"),
    pipelineUuid: pick("BITBUCKET_PIPELINE_UUID"),
    stepUuid: pick("BITBUCKET_STEP_UUID"),
    gitHttpOrigin: pick("BITBUCKET_GIT_HTTP_ORIGIN"),
    cloneDir: pick("BITBUCKET_CLONE_DIR"),
  };
  for (const k of Object.keys(build)) if (build[k] === undefined) delete build[k];
  return build as unknown as BuildEnv;
}

const REPORT_ID = /^[A-Za-z0-9._-]{1,50}$/;
const CATALOG_KEY = /^[A-Za-z0-9._-]{1,100}$/;

/** The only reader of the environment's meaning. Collects every problem before failing. */
export function loadConfig(env: Env, cwd: string, argProblems: readonly string[] = []): PipeConfig {
  const problems: string[] = [...argProblems];
  function take<T>(r: { ok: true; value: T } | { ok: false; problem: string }, fallback: T): T {
    if (r.ok) return r.value;
    problems.push(r.problem);
    return fallback;
  }

  const secret = (name: string) => {
    const v = nonEmpty(env[name]);
    return v ? new Secret(v) : undefined;
  };
  const apiKey = secret("CORTEX_API_KEY");
  const bbToken = secret("BITBUCKET_ACCESS_TOKEN");
  const bbApiToken = secret("BITBUCKET_API_TOKEN");
  const bbUser = nonEmpty(env.BITBUCKET_USERNAME);

  const descriptors = take(readList(env, "DESCRIPTOR"), undefined);
  const scorecards = take(readList(env, "SCORECARDS"), undefined);
  const scorecardTags = take(readList(env, "SCORECARD_TAGS"), undefined) ?? [];
  const aliases = take(readList(env, "ALIASES"), undefined);
  for (const p of [...(descriptors ?? []), ...(scorecards ?? [])]) {
    if (p.split("/").includes("..")) problems.push(`"${p}" leaves the repository ("..") — patterns are repository-relative.`);
    else if (p.startsWith("/")) problems.push(`"${p}" is an absolute path — patterns are repository-relative (e.g. services/*/cortex.yaml).`);
  }
  if (scorecardTags.length && !apiKey) problems.push("SCORECARD_TAGS needs CORTEX_API_KEY to fetch scorecards from the catalog.");

  const failOn = take(readEnum("FAIL_ON", env.FAIL_ON, ["failure", "regression", "never"] as const, "failure"), "failure");
  const publish = take(readEnum("CATALOG_PUBLISH", env.CATALOG_PUBLISH, ["auto", "always", "never"] as const, "auto"), "auto");
  const minScore = take(readPercentage("MIN_SCORE", env.MIN_SCORE), undefined);
  const codeInsights = take(readBoolean("CODE_INSIGHTS", env.CODE_INSIGHTS, true), true);
  const dryRun = take(readBoolean("DRY_RUN", env.DRY_RUN, false), false);
  const debug = take(readBoolean("DEBUG", env.DEBUG, false), false);
  const apiUrl = take(readUrl("CORTEX_API_URL", env.CORTEX_API_URL, "https://api.getcortexapp.com"), undefined) ?? "";
  const bbApiUrl = take(readUrl("BITBUCKET_API_URL", env.BITBUCKET_API_URL), undefined);
  const serverUrl = take(readUrl("BITBUCKET_SERVER_URL", env.BITBUCKET_SERVER_URL), undefined);

  const reportId = nonEmpty(env.REPORT_ID) ?? "catalog-scorecard";
  if (!REPORT_ID.test(reportId)) {
    problems.push(`REPORT_ID must be 1–50 characters of letters, digits, ".", "_" or "-", got "${reportId}".`);
  }
  const catalogKey = nonEmpty(env.CATALOG_KEY) ?? "ci-scorecard";
  if (!CATALOG_KEY.test(catalogKey)) {
    problems.push(`CATALOG_KEY must be 1–100 characters of letters, digits, ".", "_" or "-", got "${catalogKey}".`);
  }
  if (publish === "always" && !apiKey) problems.push("CATALOG_PUBLISH=always needs CORTEX_API_KEY.");
  if (bbUser && !bbApiToken) problems.push("BITBUCKET_USERNAME is set but BITBUCKET_API_TOKEN is not; set both for Basic auth.");
  if (!bbUser && bbApiToken) problems.push("BITBUCKET_API_TOKEN is set but BITBUCKET_USERNAME is not; set both for Basic auth.");

  const defaultBranch = nonEmpty(env.DEFAULT_BRANCH);
  const build = readBuildEnv(env);
  const insights = insightsTarget({ codeInsights, serverUrl, bbApiUrl, bbToken, bbUser, bbApiToken, build });
  if (insights.kind === "data-center" || serverUrl) {
    if (!bbToken) problems.push("BITBUCKET_SERVER_URL needs BITBUCKET_ACCESS_TOKEN (an HTTP access token with repository read).");
  }

  if (problems.length) throw new ConfigError(problems);

  const outputDir = nonEmpty(env.OUTPUT_DIR) ?? "scorecard-reports";
  // JUNIT_FILE="" disables the file; unset means the default path Pipelines picks up.
  const junitRaw = env.JUNIT_FILE;
  const junitFile = junitRaw === undefined ? "test-results/catalog-scorecard.xml" : nonEmpty(junitRaw);
  const cwd0 = path.resolve(cwd);

  return Object.freeze({
    cwd: cwd0,
    descriptors,
    scorecards,
    scorecardTags,
    defaultBranch,
    failOn,
    requiredLevel: nonEmpty(env.REQUIRED_LEVEL),
    minScore,
    aliases,
    catalog: Object.freeze({ apiKey, apiUrl, publish, key: catalogKey }),
    codeInsights,
    reportId,
    insights,
    outputDir,
    junitFile,
    dryRun,
    debug,
    color: !nonEmpty(env.NO_COLOR),
    build: Object.freeze(build),
    secrets: secretForms(
      [apiKey, bbToken, bbApiToken].filter((s): s is Secret => s !== undefined),
      bbUser && bbApiToken ? { username: bbUser, token: bbApiToken } : undefined,
    ),
  });
}

function insightsTarget(input: {
  codeInsights: boolean;
  serverUrl: string | undefined;
  bbApiUrl: string | undefined;
  bbToken: Secret | undefined;
  bbUser: string | undefined;
  bbApiToken: Secret | undefined;
  build: BuildEnv;
}): InsightsTarget {
  const { build } = input;
  if (!input.codeInsights) return { kind: "none", reason: "CODE_INSIGHTS is false" };
  if (input.serverUrl) {
    return input.bbToken
      ? { kind: "data-center", serverUrl: input.serverUrl, token: input.bbToken }
      : { kind: "none", reason: "BITBUCKET_SERVER_URL is set without BITBUCKET_ACCESS_TOKEN" };
  }
  if (input.bbToken) return { kind: "cloud", apiUrl: input.bbApiUrl ?? "https://api.bitbucket.org/2.0", auth: { kind: "bearer", token: input.bbToken } };
  if (input.bbUser && input.bbApiToken) {
    return {
      kind: "cloud",
      apiUrl: input.bbApiUrl ?? "https://api.bitbucket.org/2.0",
      auth: { kind: "basic", username: input.bbUser, token: input.bbApiToken },
    };
  }
  if (build.inPipelines) {
    // Pipelines' proxy authenticates plain-HTTP API calls for this repository; a pipe container
    // reaches it on the host, a plain step on localhost (FACTS.md, Code Insights — Cloud).
    const proxyUrl = build.inPipe ? "http://host.docker.internal:29418" : "http://localhost:29418";
    return { kind: "cloud", apiUrl: input.bbApiUrl ?? "http://api.bitbucket.org/2.0", auth: { kind: "proxy", proxyUrl } };
  }
  return { kind: "none", reason: "not in Pipelines and no BITBUCKET_ACCESS_TOKEN or BITBUCKET_USERNAME/BITBUCKET_API_TOKEN" };
}
