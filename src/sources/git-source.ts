import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ConfigError, EnvironmentError, RepositoryError } from "../errors.js";
import { Git, type BlobReader } from "./git.js";
import { branchNameProblem, parseLsRemoteRef, parseLsTree, parseSymrefHead, repoFullNameFromUrl, safeUrl } from "./git-parse.js";
import { makeTree, type FileTree } from "./tree.js";

export interface DefaultBranch {
  readonly name: string;
  readonly commit: string;
  /** How the name was found, for the log: "DEFAULT_BRANCH", "origin HEAD", "origin/HEAD", "local main". */
  readonly via: string;
  readonly tree: FileTree;
}

export interface RepoSnapshot {
  readonly topLevel: string;
  readonly originUrl: string | undefined;
  /** `workspace/repo` as the origin URL names it, when it can be read. */
  readonly originFullName: string | undefined;
  readonly headCommit: string;
  readonly head: FileTree;
  readonly defaultBranch: DefaultBranch;
  /** Things worth saying about how we got here (stale local ref used, …). */
  readonly notes: readonly string[];
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly cwd: string;
  readonly defaultBranch: string | undefined;
  readonly git: Git;
  readonly remoteTimeoutMs?: number;
}

const OID = /^[0-9a-f]{40,64}$/;

/**
 * Opens the checkout read-only and produces both trees. Never writes to the checkout: the
 * default branch, when it is not in the clone (Pipelines clones a single branch), is fetched
 * into a scratch bare repository that borrows the clone's objects through `alternates`, so the
 * clone's refs and `.git/shallow` stay exactly as they were.
 */
export async function openRepository(options: OpenOptions): Promise<RepoSnapshot> {
  const { git, cwd } = options;
  const remoteTimeoutMs = options.remoteTimeoutMs ?? 60_000;
  const probe = await git.run(["rev-parse", "--show-toplevel", "--git-common-dir"], { cwd }).catch((e: unknown) => {
    throw new RepositoryError(`could not run git: ${(e as Error).message}`, "Install git, or run the pipe's container image.");
  });
  if (probe.code !== 0) {
    throw new RepositoryError(
      `${cwd} is not inside a git repository (${probe.stderr.trim().split("\n")[0] ?? ""})`,
      "Run the pipe from the repository's working directory, or set BITBUCKET_CLONE_DIR.",
    );
  }
  const [topLevel = cwd, commonDirRaw = ".git"] = probe.stdout.toString("utf8").trim().split("\n");
  const commonDir = path.resolve(cwd, commonDirRaw);

  const headCommit = (await git.text(["rev-parse", "--verify", "HEAD^{commit}"], { cwd: topLevel }).catch(() => {
    throw new RepositoryError("the repository has no commit checked out (HEAD does not resolve)", "Commit something first.");
  })).trim();

  const originRun = await git.run(["remote", "get-url", "origin"], { cwd: topLevel });
  const originUrl = originRun.code === 0 ? originRun.stdout.toString("utf8").trim() || undefined : undefined;
  const notes: string[] = [];

  const resolved = await resolveDefaultBranch({ git, topLevel, originUrl, override: options.defaultBranch, remoteTimeoutMs, notes });

  let scratch: string | undefined;
  let defaultRepo = topLevel;
  const hasObject = async (oid: string) => (await git.run(["cat-file", "-e", `${oid}^{commit}`], { cwd: topLevel })).code === 0;
  let defaultCommit = resolved.commit;
  if (!defaultCommit || !(await hasObject(defaultCommit))) {
    if (!originUrl) {
      throw new EnvironmentError("DEFAULT_BRANCH_UNRESOLVED", `the default branch ${resolved.name} is not in this clone and there is no origin to fetch it from`);
    }
    scratch = await mkdtemp(path.join(os.tmpdir(), "catalog-scorecard-"));
    defaultCommit = await fetchIntoScratch({ git, topLevel, commonDir, scratch, originUrl, branch: resolved.name, remoteTimeoutMs });
    defaultRepo = scratch;
  }

  // One cat-file process serves both trees; the scratch repository sees every object (its own
  // and, through alternates, the clone's).
  const reader: BlobReader = git.startBatch(scratch ?? topLevel);
  const blob = (oid: string) => reader.read(oid);
  const [headEntries, defaultEntries] = await Promise.all([
    listTree(git, topLevel, headCommit),
    defaultCommit === headCommit ? undefined : listTree(git, defaultRepo, defaultCommit),
  ]);
  const head = makeTree("this commit", headCommit, headEntries, blob);
  const defaultTree = defaultEntries ? makeTree(resolved.name, defaultCommit, defaultEntries, blob) : makeTree(resolved.name, headCommit, headEntries, blob);

  return {
    topLevel,
    originUrl: originUrl ? safeUrl(originUrl) : undefined,
    originFullName: originUrl ? repoFullNameFromUrl(originUrl) : undefined,
    headCommit,
    head,
    defaultBranch: { name: resolved.name, commit: defaultCommit, via: resolved.via, tree: defaultTree },
    notes,
    async close() {
      reader.close();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    },
  };
}

async function listTree(git: Git, cwd: string, commit: string) {
  const out = await git.text(["ls-tree", "-r", "-t", "-l", "-z", "--full-tree", commit], { cwd });
  return parseLsTree(out);
}

interface Resolved {
  readonly name: string;
  readonly commit: string | undefined;
  readonly via: string;
}

async function resolveDefaultBranch(input: {
  git: Git;
  topLevel: string;
  originUrl: string | undefined;
  override: string | undefined;
  remoteTimeoutMs: number;
  notes: string[];
}): Promise<Resolved> {
  const { git, topLevel, originUrl, override, remoteTimeoutMs, notes } = input;
  const localCommit = async (name: string) => {
    for (const ref of [`refs/remotes/origin/${name}`, `refs/heads/${name}`]) {
      const r = await git.run(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd: topLevel });
      const oid = r.stdout.toString("utf8").trim();
      if (r.code === 0 && OID.test(oid)) return oid;
    }
    return undefined;
  };

  if (override !== undefined) {
    const problem = branchNameProblem(override);
    if (problem) throw new ConfigError([`DEFAULT_BRANCH "${override}" ${problem}.`]);
    if (originUrl) {
      const r = await git.run(["ls-remote", "--", "origin", `refs/heads/${override}`], { cwd: topLevel, timeoutMs: remoteTimeoutMs });
      if (r.code === 0) {
        const commit = parseLsRemoteRef(r.stdout.toString("utf8"), `refs/heads/${override}`);
        if (commit) return { name: override, commit, via: "DEFAULT_BRANCH" };
        throw new ConfigError([`DEFAULT_BRANCH "${override}" does not exist on origin (${safeUrl(originUrl)}).`]);
      }
      notes.push(`could not reach origin to check DEFAULT_BRANCH (${firstLine(r.stderr)}); using the local ref`);
    }
    const commit = await localCommit(override);
    if (commit) return { name: override, commit, via: "DEFAULT_BRANCH" };
    if (originUrl) {
      throw new EnvironmentError("DEFAULT_BRANCH_UNRESOLVED", `DEFAULT_BRANCH "${override}" is not in this clone and origin could not be reached`);
    }
    throw new ConfigError([`DEFAULT_BRANCH "${override}" does not exist in this repository.`]);
  }

  let remoteProblem: string | undefined;
  if (originUrl) {
    const r = await git.run(["ls-remote", "--symref", "--", "origin", "HEAD"], { cwd: topLevel, timeoutMs: remoteTimeoutMs });
    const parsed = r.code === 0 ? parseSymrefHead(r.stdout.toString("utf8")) : undefined;
    if (parsed && branchNameProblem(parsed.branch) === undefined) return { name: parsed.branch, commit: parsed.commit, via: "origin HEAD" };
    remoteProblem = r.code === 0 ? "origin did not name its HEAD branch" : firstLine(r.stderr);
  }

  const symref = await git.run(["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"], { cwd: topLevel });
  const fromSymref = /^refs\/remotes\/origin\/(.+)$/.exec(symref.stdout.toString("utf8").trim())?.[1];
  if (symref.code === 0 && fromSymref && !branchNameProblem(fromSymref)) {
    if (remoteProblem) notes.push(`could not ask origin for its default branch (${remoteProblem}); used refs/remotes/origin/HEAD`);
    return { name: fromSymref, commit: await localCommit(fromSymref), via: "origin/HEAD" };
  }
  for (const name of ["main", "master"]) {
    const commit = await localCommit(name);
    if (commit) {
      if (remoteProblem) notes.push(`could not ask origin for its default branch (${remoteProblem}); guessed "${name}" from local refs`);
      return { name, commit, via: `local ${name}` };
    }
  }
  throw new EnvironmentError(
    "DEFAULT_BRANCH_UNRESOLVED",
    originUrl
      ? `could not find the default branch: origin did not answer (${remoteProblem ?? "no HEAD"}) and there is no refs/remotes/origin/HEAD, main or master in this clone`
      : "could not find the default branch: there is no origin remote and no local main or master branch",
    "Set DEFAULT_BRANCH to the branch the catalog reads (e.g. DEFAULT_BRANCH=main).",
  );
}

async function fetchIntoScratch(input: {
  git: Git;
  topLevel: string;
  commonDir: string;
  scratch: string;
  originUrl: string;
  branch: string;
  remoteTimeoutMs: number;
}): Promise<string> {
  const { git, topLevel, commonDir, scratch, originUrl, branch, remoteTimeoutMs } = input;
  await git.text(["init", "--bare", "--quiet", scratch], { cwd: topLevel });
  await writeFile(path.join(scratch, "objects", "info", "alternates"), `${path.join(commonDir, "objects")}\n`);
  // Carry the clone's http settings (Pipelines routes origin through its auth proxy with
  // `http.<origin>.proxy`), and nothing else of its configuration.
  const cfg = await git.run(["config", "--get-regexp", "^http\\."], { cwd: topLevel });
  const carried: string[] = [];
  for (const line of cfg.stdout.toString("utf8").split("\n")) {
    const sp = line.indexOf(" ");
    if (sp > 0) carried.push("-c", `${line.slice(0, sp)}=${line.slice(sp + 1)}`);
  }
  const ref = `refs/heads/${branch}`;
  const r = await git.run(
    [
      ...carried,
      // The alternate is a shallow clone whose history stops early; advertising its refs as
      // "haves" would make negotiation walk into missing parents.
      "-c",
      "core.alternateRefsCommand=true",
      "fetch",
      "--quiet",
      "--no-tags",
      "--no-write-fetch-head",
      "--recurse-submodules=no",
      "--depth=1",
      "--",
      originUrl,
      `+${ref}:refs/heads/default`,
    ],
    { cwd: scratch, timeoutMs: remoteTimeoutMs },
  );
  if (r.code !== 0) {
    throw new EnvironmentError(
      "DEFAULT_BRANCH_UNRESOLVED",
      `could not fetch the default branch ${branch} from origin: ${firstLine(r.stderr)}`,
      "Check that the build can reach origin, or run on a full clone (clone: depth: full).",
    );
  }
  return (await git.text(["rev-parse", "--verify", "refs/heads/default^{commit}"], { cwd: scratch })).trim();
}

function firstLine(s: string): string {
  return s.trim().split("\n").filter(Boolean).pop()?.replace(/^fatal: /, "") ?? "no output";
}
