import { mkdtempSync, rmSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { ConfigError, EnvironmentError, RepositoryError } from "../errors.js";
import { Git, type BlobReader } from "./git.js";
import { branchNameProblem, parseDiffTree, parseLsRemoteRef, scanLsTree, parseSymrefHead, repoFullNameFromUrl, safeUrl, type TreeEntry } from "./git-parse.js";
import { ListingBuilder, makeTree, overlayTree, type BlobSource, type FileTree, type Listing, type SizeSource } from "./tree.js";

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

/** A snapshot whose default branch is still being resolved (and fetched) in the background. */
export interface StagedSnapshot extends Omit<RepoSnapshot, "defaultBranch"> {
  readonly defaultBranch: Promise<DefaultBranch>;
}

/**
 * Opens the checkout read-only and produces both trees. Never writes to the checkout: the
 * default branch, when it is not in the clone (Pipelines clones a single branch), is fetched
 * into a scratch bare repository that borrows the clone's objects through `alternates`, so the
 * clone's refs and `.git/shallow` stay exactly as they were.
 */
export async function openRepository(options: OpenOptions): Promise<RepoSnapshot> {
  const staged = await openRepositoryStaged(options);
  try {
    return { ...staged, defaultBranch: await staged.defaultBranch };
  } catch (e) {
    await staged.close();
    throw e;
  }
}

/**
 * The same, returning as soon as this commit's tree is listed, with the default branch to come:
 * a caller can read this commit's descriptors and scorecards while origin is still answering.
 * `close` waits for the default branch to settle before it removes the scratch repository.
 */
export async function openRepositoryStaged(options: OpenOptions): Promise<StagedSnapshot> {
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

  // One cat-file pair for the clone, one for the scratch repository if there is one; a blob is
  // read once whichever tree asks for it first.
  const cloneReader = git.startBatch(topLevel);
  const readers: BlobReader[] = [cloneReader];
  const cache = new Map<string, Promise<Buffer>>();
  const sourceOf = (reader: BlobReader): BlobSource => (oid) => {
    let hit = cache.get(oid);
    if (!hit) {
      hit = reader.read(oid);
      cache.set(oid, hit);
    }
    return hit;
  };
  let scratch: string | undefined;
  const cleanup = async () => {
    for (const r of readers) r.close();
    if (scratch) {
      await rm(scratch, { recursive: true, force: true });
      scratchDirs.delete(scratch);
    }
  };

  try {
    // This commit's listing depends on nothing else: it runs (and is parsed, and its YAML files'
    // sizes looked up) while the default branch is resolved and fetched. Awaited below; the catch
    // only keeps an early failure elsewhere from leaving it unhandled.
    const headReady = listTree(git, topLevel, "HEAD").then(async (listing) => {
      await knowSizes(yamlInListing(listing), cloneReader);
      return listing;
    });
    headReady.catch(() => {});

    const [headCommitOut, originRun] = await Promise.all([
      git.text(["rev-parse", "--verify", "HEAD^{commit}"], { cwd: topLevel }).catch(() => {
        throw new RepositoryError("the repository has no commit checked out (HEAD does not resolve)", "Commit something first.");
      }),
      git.run(["remote", "get-url", "origin"], { cwd: topLevel }),
    ]);
    const headCommit = headCommitOut.trim();
    const originUrl = originRun.code === 0 ? originRun.stdout.toString("utf8").trim() || undefined : undefined;
    const notes: string[] = [];

    const head = headReady.then((listing) => makeTree("this commit", headCommit, listing, sourceOf(cloneReader), (oid) => cloneReader.size(oid)));
    const defaultBranch = (async (): Promise<DefaultBranch> => {
      const resolved = await resolveDefaultBranch({ git, topLevel, originUrl, override: options.defaultBranch, remoteTimeoutMs, notes });
      let defaultCommit = resolved.commit;
      let reader = cloneReader;
      const hasObject = async (oid: string) => (await git.run(["cat-file", "-e", `${oid}^{commit}`], { cwd: topLevel })).code === 0;
      if (!defaultCommit || !(await hasObject(defaultCommit))) {
        if (!originUrl) {
          throw new EnvironmentError("DEFAULT_BRANCH_UNRESOLVED", `the default branch ${resolved.name} is not in this clone and there is no origin to fetch it from`);
        }
        scratch = makeScratch();
        defaultCommit = await fetchIntoScratch({ git, topLevel, commonDir, scratch, headCommit, originUrl, branch: resolved.name, remoteTimeoutMs });
        // The scratch repository sees every object: its own and, through alternates, the clone's.
        reader = git.startBatch(scratch);
        readers.push(reader);
      }
      const base = await head;
      const sizes = (oid: string) => reader.size(oid);
      const derived =
        defaultCommit === headCommit
          ? { tree: relabel(base, resolved.name), entries: [] }
          : await deriveTree(git, scratch ?? topLevel, resolved.name, defaultCommit, base, sourceOf(reader), sizes);
      await knowSizes(yamlInEntries(derived.entries), reader);
      return { name: resolved.name, commit: defaultCommit, via: resolved.via, tree: derived.tree };
    })();
    defaultBranch.catch(() => {});

    return {
      topLevel,
      originUrl: originUrl ? safeUrl(originUrl) : undefined,
      originFullName: originUrl ? repoFullNameFromUrl(originUrl) : undefined,
      headCommit,
      head: await head,
      defaultBranch,
      notes,
      async close() {
        await defaultBranch.catch(() => undefined);
        await cleanup();
      },
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/**
 * `ls-tree` without `-l` (sizes would cost a lookup of every blob in the pack: 5× the listing),
 * parsed into columns while git is still writing it.
 */
async function listTree(git: Git, cwd: string, commit: string): Promise<Listing> {
  const builder = new ListingBuilder();
  const push = builder.push.bind(builder);
  await git.records(["ls-tree", "-r", "-t", "-z", "--full-tree", commit], { cwd }, (text) => scanLsTree(text, push));
  return builder.done();
}

function relabel(tree: FileTree, label: string): FileTree {
  return { ...tree, label };
}

/**
 * The default branch's tree as this commit's tree plus `diff-tree`'s delta: a pull request
 * changes a few files, so this reads a few dozen tree objects instead of listing the whole tree
 * a second time. Falls back to a full listing if the diff cannot be made.
 */
async function deriveTree(
  git: Git,
  cwd: string,
  label: string,
  commit: string,
  head: FileTree,
  blob: BlobSource,
  sizes: SizeSource,
): Promise<{ tree: FileTree; entries: Iterable<TreeEntry> }> {
  const diff = await git.run(["diff-tree", "-r", "-t", "-z", "--no-renames", "--no-commit-id", head.commit, commit], { cwd });
  if (diff.code === 0) {
    const delta = parseDiffTree(diff.stdout.toString("utf8"));
    return { tree: overlayTree(label, commit, head, delta.changed, delta.removed, blob, sizes), entries: delta.changed };
  }
  const listing = await listTree(git, cwd, commit);
  const reader = git.startBatch(cwd);
  try {
    await knowSizes(yamlInListing(listing), reader);
  } finally {
    reader.close();
  }
  return { tree: makeTree(label, commit, listing, blob, sizes), entries: [] };
}

/**
 * Sizes for the YAML files of both trees (this commit's listing and the default branch's delta),
 * which the descriptor and scorecard loaders check against their limit before reading
 * (`entry.size`); every other blob's size is asked for when a rule is about to read it
 * (`FileTree.size`). A repository has few YAML files, so this is a few lookups instead of one per
 * blob.
 */
type SizeTarget = { readonly oid: string; set(size: number): void };

function yamlInListing(listing: Listing): SizeTarget[] {
  const out: SizeTarget[] = [];
  for (let i = 0; i < listing.length; i++) {
    if (!YAML_NAME.test(listing.sorted[i]!)) continue;
    const e = listing.entryAt(i);
    if (e.type === "blob" && e.size === undefined) out.push({ oid: e.oid, set: (size) => listing.setSizeAt(i, size) });
  }
  return out;
}

function yamlInEntries(entries: Iterable<TreeEntry>): SizeTarget[] {
  const out: SizeTarget[] = [];
  for (const e of entries) {
    // Entries of a diff are this module's own objects; the size is filled in before anyone sees them.
    if (e.type === "blob" && e.size === undefined && YAML_NAME.test(e.path)) out.push({ oid: e.oid, set: (size) => ((e as { size: number | undefined }).size = size) });
  }
  return out;
}

async function knowSizes(targets: readonly SizeTarget[], reader: BlobReader): Promise<void> {
  const byOid = new Map<string, SizeTarget[]>();
  for (const t of targets) {
    const same = byOid.get(t.oid);
    if (same) same.push(t);
    else byOid.set(t.oid, [t]);
  }
  await Promise.all(
    [...byOid].map(async ([oid, same]) => {
      const size = await reader.size(oid);
      for (const t of same) t.set(size);
    }),
  );
}

const YAML_NAME = /\.ya?ml$/i;

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
  headCommit: string;
  originUrl: string;
  branch: string;
  remoteTimeoutMs: number;
}): Promise<string> {
  const { git, topLevel, commonDir, scratch, headCommit, originUrl, branch, remoteTimeoutMs } = input;
  const prepare = async () => {
    await git.text(["init", "--bare", "--quiet", scratch], { cwd: topLevel });
    await writeFile(path.join(scratch, "objects", "info", "alternates"), `${path.join(commonDir, "objects")}\n`);
    // Tell origin what we already have, so it sends only what the default branch changed (about
    // 1 % of a pull request's objects) instead of its whole tree: the scratch repository gets a
    // ref to this commit (its objects are the clone's, through alternates) and a copy of the
    // clone's shallow boundary, so that negotiation stops where the clone's history does. The
    // clone's own `.git/shallow` is only read.
    const shallow = await readFile(path.join(commonDir, "shallow")).catch(() => undefined);
    if (shallow) await writeFile(path.join(scratch, "shallow"), shallow);
    await git.text(["update-ref", "refs/heads/this-commit", headCommit], { cwd: scratch });
  };
  // Carry the clone's http settings (Pipelines routes origin through its auth proxy with
  // `http.<origin>.proxy`), and nothing else of its configuration.
  const [cfg] = await Promise.all([git.run(["config", "--get-regexp", "^http\\."], { cwd: topLevel }), prepare()]);
  const carried: string[] = [];
  for (const line of cfg.stdout.toString("utf8").split("\n")) {
    const sp = line.indexOf(" ");
    if (sp > 0) carried.push("-c", `${line.slice(0, sp)}=${line.slice(sp + 1)}`);
  }
  const ref = `refs/heads/${branch}`;
  const r = await git.run(
    [
      ...carried,
      // Negotiate from our own ref only: the alternate's refs are the clone's, whose history the
      // scratch repository cannot see past the shallow boundary we copied.
      "-c",
      "core.alternateRefsCommand=true",
      // A throwaway repository: durability is not worth an fsync per pack.
      "-c",
      "core.fsync=none",
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

/**
 * A cancelled or timed-out Pipelines step gets SIGTERM (a local user, SIGINT): the scratch
 * repositories in the temp directory are removed before the process ends, as on a normal exit.
 */
const scratchDirs = new Set<string>();
let handlersInstalled = false;
/**
 * Handlers first, then the directory, created and recorded in the same tick: a signal handler
 * runs only between ticks, so it always sees every scratch directory that exists.
 */
function makeScratch(): string {
  if (!handlersInstalled) {
    handlersInstalled = true;
    for (const [signal, code] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
      process.once(signal, () => {
        for (const d of scratchDirs) rmSync(d, { recursive: true, force: true });
        process.exit(code);
      });
    }
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), "catalog-scorecard-"));
  scratchDirs.add(dir);
  return dir;
}
