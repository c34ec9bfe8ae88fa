import { execFileSync, spawn, spawnSync } from "node:child_process";
import type { Report } from "../../src/report/model.js";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Real throwaway git repositories built from object literals, including the shallow
 * single-branch clones Pipelines makes. Everything lives under one temp root per test file.
 */
const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", ["-c", "protocol.file.allow=always", ...args], { cwd, env: GIT_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

export type Files = Record<string, string | Buffer | { symlink: string } | null>;

let root: string | undefined;
export function tempRoot(): string {
  root ??= mkdtempSync(path.join(os.tmpdir(), "csp-test-"));
  return root;
}
export function cleanup(): void {
  if (root) rmSync(root, { recursive: true, force: true });
  root = undefined;
}

let counter = 0;
export function tempDir(name = "dir"): string {
  const dir = path.join(tempRoot(), `${name}-${++counter}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes files (null deletes) into a work tree. */
export function writeFiles(dir: string, files: Files): void {
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(dir, rel);
    if (content === null) {
      rmSync(full, { recursive: true, force: true });
      continue;
    }
    mkdirSync(path.dirname(full), { recursive: true });
    if (typeof content === "object" && !Buffer.isBuffer(content)) {
      rmSync(full, { force: true });
      symlinkSync(content.symlink, full);
    } else writeFileSync(full, content);
  }
}

export function commitAll(dir: string, message = "change"): string {
  git(dir, "add", "-A");
  git(dir, "commit", "-q", "--allow-empty", "-m", message);
  return git(dir, "rev-parse", "HEAD");
}

/** A work-tree repository with one commit on `defaultBranch` holding `files`. */
export function makeRepo(files: Files, options: { defaultBranch?: string } = {}): string {
  const dir = tempDir("repo");
  git(dir, "init", "-q", "-b", options.defaultBranch ?? "main");
  writeFiles(dir, files);
  commitAll(dir, "initial");
  return dir;
}

/**
 * An origin (bare) with a default branch and a feature branch, as a Bitbucket repository:
 * `base` on the default branch, `feature` = base + changes on the feature branch.
 */
export function makeOrigin(base: Files, feature: Files, options: { defaultBranch?: string; featureBranch?: string; extraCommits?: number } = {}): {
  bare: string;
  defaultCommit: string;
  featureCommit: string;
} {
  const def = options.defaultBranch ?? "main";
  const feat = options.featureBranch ?? "feature/x";
  const work = makeRepo(base, { defaultBranch: def });
  for (let i = 0; i < (options.extraCommits ?? 0); i++) {
    writeFiles(work, { [`history/${i}.txt`]: `commit ${i}\n` });
    commitAll(work, `history ${i}`);
  }
  const defaultCommit = git(work, "rev-parse", "HEAD");
  git(work, "checkout", "-q", "-b", feat);
  writeFiles(work, feature);
  const featureCommit = commitAll(work, "feature");
  const bare = tempDir("origin.git");
  git(bare, "init", "-q", "--bare", "-b", def);
  git(work, "push", "-q", bare, `${def}:${def}`, `${feat}:${feat}`);
  return { bare, defaultCommit, featureCommit };
}

/** Adds a commit with `files` on `branch` of a bare origin (someone else pushed). */
export function advanceBranch(bare: string, branch: string, files: Files): string {
  const work = tempDir("push");
  git(path.dirname(work), "clone", "-q", "--branch", branch, `file://${bare}`, work);
  writeFiles(work, files);
  const commit = commitAll(work, `advance ${branch}`);
  git(work, "push", "-q", "origin", `${branch}:${branch}`);
  return commit;
}

/**
 * Clones the way Pipelines does: `--branch=<b> --depth 50`, single branch, then reset --hard.
 * `origin` is a bare repository path (cloned over file://) or an http(s) URL.
 */
export function pipelinesClone(origin: string, branch: string, commit?: string): string {
  const dir = tempDir("clone");
  git(path.dirname(dir), "clone", "-q", `--branch=${branch}`, "--depth", "50", /^https?:/.test(origin) ? origin : `file://${origin}`, dir);
  if (commit) git(dir, "reset", "-q", "--hard", commit);
  return dir;
}

/** Everything that must not change in a clone: refs, shallow file, index, HEAD, work tree. */
export function fingerprint(dir: string): string {
  const shallowFile = path.join(dir, ".git", "shallow");
  return JSON.stringify({
    refs: git(dir, "for-each-ref", "--format=%(refname) %(objectname)"),
    head: git(dir, "rev-parse", "HEAD"),
    shallow: existsSync(shallowFile) ? readFileSync(shallowFile, "utf8") : null,
    status: git(dir, "status", "--porcelain", "--ignored", "--untracked-files=all"),
    log: git(dir, "log", "--format=%H").split("\n").length,
    config: readFileSync(path.join(dir, ".git", "config"), "utf8"),
  });
}

export const BUNDLE = path.resolve(__dirname, "../../dist/pipe.cjs");

export interface BundleRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly report: Report | undefined;
}

/** Runs the built bundle as users do, in `cwd`, with only the variables given (plus PATH/HOME). */
export function runBundle(cwd: string, env: Record<string, string> = {}, args: string[] = []): BundleRun {
  const outputDir = env.OUTPUT_DIR ?? path.join(tempDir("out"), "reports");
  const r = spawnSync(process.execPath, [BUNDLE, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", JUNIT_FILE: "", ...env, OUTPUT_DIR: outputDir },
    encoding: "utf8",
    timeout: 120_000,
  });
  const reportPath = path.resolve(cwd, outputDir, "report.json");
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    report: existsSync(reportPath) ? JSON.parse(readFileSync(reportPath, "utf8")) : undefined,
  };
}

/**
 * Like runBundle, but asynchronous: required when the test process itself serves HTTP (stand-in
 * servers), whose event loop a synchronous spawn would block.
 */
export function runBundleAsync(cwd: string, env: Record<string, string> = {}, args: string[] = []): Promise<BundleRun & { readonly outputDir: string }> {
  const outputDir = env.OUTPUT_DIR ?? path.join(tempDir("out"), "reports");
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", NO_COLOR: "1", JUNIT_FILE: "", ...env, OUTPUT_DIR: outputDir },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => (stdout += b.toString("utf8")));
    child.stderr.on("data", (b: Buffer) => (stderr += b.toString("utf8")));
    const timer = setTimeout(() => child.kill("SIGKILL"), 180_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const reportPath = path.resolve(cwd, outputDir, "report.json");
      resolve({ code: code ?? -1, stdout, stderr, outputDir: path.resolve(cwd, outputDir), report: existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, "utf8")) as Report) : undefined });
    });
  });
}
