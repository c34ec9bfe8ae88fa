import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import type { Report } from "../../src/report/model.js";
import { startGitHttp, type GitHttpServer } from "./git-http.js";
import { BUNDLE, git, pipelinesClone, runBundleAsync, tempDir } from "./repo.js";

/**
 * Emulates a Bitbucket Pipelines pipe step on this machine (FACTS.md, "Pipelines environment"):
 *  - origin is `http://bitbucket.org/<ws>/<slug>`, served by `git http-backend` behind an auth
 *    proxy on localhost:29418 (git's `http.<origin>.proxy`, as Pipelines configures clones);
 *  - the clone is `--branch <b> --depth 50`, then reset --hard; PR builds merge the destination;
 *  - the pipe step comes from the README's YAML Definition, edited like a user would, parsed
 *    from a real bitbucket-pipelines.yml;
 *  - the pipe runs as the bundle (a plain step: proxy on localhost) and, when an image is
 *    available, as the container (a pipe: host.docker.internal, BITBUCKET_PIPE_STORAGE_DIR).
 */
const ROOT = path.resolve(__dirname, "../..");
export const PROXY_PORT = 29418;

export interface PipeStep {
  readonly image: string;
  readonly variables: Readonly<Record<string, string>>;
  /** The bitbucket-pipelines.yml the step was read from. */
  readonly file: string;
}

/** The README's YAML Definition with `set` uncommented and filled in, as a bitbucket-pipelines.yml. */
export function pipelinesYamlFromReadme(set: Readonly<Record<string, string>>): string {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## YAML Definition"));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error("README has no YAML Definition block");
  const used = new Set<string>();
  const lines = block.split("\n").map((line) => {
    const m = /^(\s*)# ([A-Z_]+): .*$/.exec(line);
    if (m && m[2] && m[2] in set) {
      used.add(m[2]);
      return `${m[1]}${m[2]}: ${JSON.stringify(set[m[2]])}`;
    }
    return line;
  });
  const missing = Object.keys(set).filter((k) => !used.has(k));
  if (missing.length) throw new Error(`README's YAML Definition has no line for ${missing.join(", ")}`);
  const step = lines.map((l) => (l ? `          ${l}` : l)).join("\n");
  return `pipelines:\n  default:\n    - step:\n        name: Catalog scorecard\n        script:\n${step}\n`;
}

/** Reads the pipe step back from a bitbucket-pipelines.yml, resolving `$VARS` from repository variables. */
export function readPipeStep(file: string, repositoryVariables: Readonly<Record<string, string>>): PipeStep {
  const doc = parse(readFileSync(file, "utf8")) as { pipelines: { default: { step: { script: unknown[] } }[] } };
  const script = doc.pipelines.default[0]?.step.script ?? [];
  const pipe = script.find((s): s is { pipe: string; variables?: Record<string, unknown> } => typeof s === "object" && s !== null && "pipe" in s);
  if (!pipe) throw new Error("no pipe in the step");
  const variables: Record<string, string> = {};
  for (const [k, v] of Object.entries(pipe.variables ?? {})) {
    const text = String(v);
    variables[k] = text.replace(/^\$([A-Z_][A-Z0-9_]*)$/, (_, name: string) => repositoryVariables[name] ?? "");
  }
  return { image: pipe.pipe.replace(/^docker:\/\//, ""), variables, file };
}

export interface Scenario {
  readonly workspace: string;
  readonly slug: string;
  readonly branch: string;
  /** The bare repository (origin) to serve; placed under the git server's root. */
  readonly bare: string;
  readonly pullRequest?: { readonly id: string; readonly destination: string };
  readonly set?: Readonly<Record<string, string>>;
  readonly repositoryVariables?: Readonly<Record<string, string>>;
}

export interface StepRun {
  readonly mode: "bundle" | "container";
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly report: Report | undefined;
  readonly commit: string;
  readonly clone: string;
}

export class PipelinesWorld {
  private constructor(
    readonly root: string,
    readonly gitServer: GitHttpServer,
  ) {}

  static async start(): Promise<PipelinesWorld> {
    const root = tempDir("bitbucket.org");
    return new PipelinesWorld(root, await startGitHttp(root));
  }

  /** Publishes a bare repository as http://bitbucket.org/<ws>/<slug>. */
  host(bare: string, workspace: string, slug: string): void {
    mkdirSync(path.join(this.root, workspace), { recursive: true });
    git(this.root, "clone", "-q", "--bare", `file://${bare}`, path.join(this.root, workspace, slug));
  }

  /** Makes the clone exactly as Pipelines would, and the step's environment. */
  prepare(s: Scenario): { clone: string; commit: string; env: Record<string, string>; step: PipeStep } {
    this.host(s.bare, s.workspace, s.slug);
    const direct = `${this.gitServer.url}/${s.workspace}/${s.slug}`;
    const clone = pipelinesClone(direct, s.branch);
    const commit = git(clone, "rev-parse", "HEAD");
    if (s.pullRequest) {
      git(clone, "fetch", "-q", "origin", s.pullRequest.destination);
      git(clone, "-c", "user.name=Pipelines", "-c", "user.email=p@example.com", "merge", "-q", "--no-edit", "FETCH_HEAD");
    }
    const origin = `http://bitbucket.org/${s.workspace}/${s.slug}`;
    git(clone, "remote", "set-url", "origin", origin);
    git(clone, "config", "http.http://bitbucket.org.proxy", `http://localhost:${PROXY_PORT}`);
    const file = path.join(tempDir("pipelines-yml"), "bitbucket-pipelines.yml");
    writeFileSync(file, pipelinesYamlFromReadme(s.set ?? {}));
    const step = readPipeStep(file, s.repositoryVariables ?? {});
    const env: Record<string, string> = {
      CI: "true",
      BITBUCKET_REPO_FULL_NAME: `${s.workspace}/${s.slug}`,
      BITBUCKET_WORKSPACE: s.workspace,
      BITBUCKET_REPO_SLUG: s.slug,
      BITBUCKET_COMMIT: commit,
      BITBUCKET_BRANCH: s.branch,
      BITBUCKET_BUILD_NUMBER: "101",
      BITBUCKET_PIPELINE_UUID: "{a1b2c3d4-0000-4000-8000-000000000001}",
      BITBUCKET_STEP_UUID: "{a1b2c3d4-0000-4000-8000-000000000002}",
      BITBUCKET_CLONE_DIR: clone,
      BITBUCKET_GIT_HTTP_ORIGIN: origin,
      ...(s.pullRequest ? { BITBUCKET_PR_ID: s.pullRequest.id, BITBUCKET_PR_DESTINATION_BRANCH: s.pullRequest.destination } : {}),
      ...step.variables,
    };
    return { clone, commit, env, step };
  }

  /** The pipe as the built bundle in a plain step (its proxy is localhost:29418). */
  async runBundle(s: Scenario): Promise<StepRun> {
    const { clone, commit, env } = this.prepare(s);
    const out = path.join(tempDir("step-out"), "reports");
    const r = await runBundleAsync(clone, { ...env, OUTPUT_DIR: out });
    return { mode: "bundle", code: r.code, stdout: r.stdout, stderr: r.stderr, report: r.report, commit, clone };
  }

  /** The pipe as the real image, the way Pipelines starts a pipe container. */
  async runContainer(s: Scenario, image: string): Promise<StepRun> {
    const { clone, commit, env, step } = this.prepare(s);
    if (step.image.split(":")[1] !== image.split(":")[1] && !image.endsWith(":ci")) throw new Error(`README image ${step.image} vs ${image}`);
    const out = tempDir("pipe-out");
    chmodSync(out, 0o777);
    const args = ["run", "--rm", "--network", "host", "--add-host", "host.docker.internal:127.0.0.1", "-v", `${clone}:${clone}`, "-v", `${out}:${out}`, "-w", clone];
    const all = { ...env, BITBUCKET_PIPE_STORAGE_DIR: "/opt/atlassian/pipelines/agent/pipe-storage", BITBUCKET_PIPE_SHARED_STORAGE_DIR: "/opt/atlassian/pipelines/agent/shared", OUTPUT_DIR: path.join(out, "reports"), JUNIT_FILE: path.join(out, "test-results", "scorecard.xml") };
    for (const [k, v] of Object.entries(all)) args.push("-e", `${k}=${v}`);
    args.push(image);
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = spawn("docker", args);
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
      child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    const file = path.join(out, "reports", "report.json");
    return { mode: "container", ...r, report: existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Report) : undefined, commit, clone };
  }

  async close(): Promise<void> {
    await this.gitServer.close();
  }
}

export { BUNDLE };
