// The floor: what git itself needs to answer the same questions, measured in the same run.
//
//   listing: `git ls-tree -r -z` of both trees, the two at once (the machine has two cores);
//   blobs:   `git cat-file --batch` of exactly the blobs the rules read (both trees, each blob
//            once; not those over the 5 MiB reading limit, which the pipe refuses from the size);
//   fetch:   for the pull-request scenario, `git fetch --depth=1` of the default branch into an
//            empty repository that borrows the clone's objects and tells origin what it has:
//            the least git transfers to see a default branch that is not in the clone.
//
// Output is read through a pipe and thrown away, as a program consuming it would.
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };

function run(cwd, args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, { cwd, env: GIT_ENV, stdio: ["pipe", "pipe", "pipe"] });
    let bytes = 0;
    const err = [];
    child.stdout.on("data", (b) => (bytes += b.length));
    child.stderr.on("data", (b) => err.push(b));
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(bytes) : reject(new Error(`git ${args.join(" ")}: ${code} ${Buffer.concat(err).toString()}`))));
  });
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** Blob ids the rules read: `paths` in each commit, symlinks followed, oversized blobs left out. */
export function neededBlobs(repo, commits, paths, limit = 5 * 1024 * 1024) {
  const wanted = new Set();
  for (const commit of commits) {
    let todo = [...paths];
    for (let hop = 0; hop < 8 && todo.length; hop++) {
      const out = execFileSync("git", ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize) %(rest)"], {
        cwd: repo,
        env: GIT_ENV,
        input: todo.map((p) => `${commit}:${p} ${p}`).join("\n") + "\n",
        encoding: "utf8",
      });
      const next = [];
      for (const line of out.trim().split("\n")) {
        const [oid, type, size, p] = line.split(" ");
        if (type !== "blob" || Number(size) > limit) continue;
        wanted.add(oid);
        // A symlink's target is read too (the pipe follows links inside the tree).
        const mode = execFileSync("git", ["ls-tree", commit, "--", p], { cwd: repo, env: GIT_ENV, encoding: "utf8" }).split(" ")[0];
        if (mode === "120000") {
          const target = execFileSync("git", ["cat-file", "blob", oid], { cwd: repo, env: GIT_ENV, encoding: "utf8" });
          next.push(path.posix.normalize(path.posix.join(path.posix.dirname(p), target)));
        }
      }
      todo = next;
    }
  }
  return [...wanted];
}

/** One floor measurement: both listings at once, then the blobs. Milliseconds. */
export async function floorOnce(repo, commits, blobs) {
  const t0 = now();
  await Promise.all(commits.map((c) => run(repo, ["ls-tree", "-r", "-z", c])));
  const t1 = now();
  await run(repo, ["cat-file", "--batch"], blobs.join("\n") + "\n");
  const t2 = now();
  return { ms: t2 - t0, listMs: t1 - t0, blobsMs: t2 - t1 };
}

/** One minimal fetch of `branch` from `origin` next to `clone` (see the header). Milliseconds. */
export async function fetchOnce(clone, origin, branch) {
  const scratch = mkdtempSync(path.join(os.tmpdir(), "csp-bench-fetch-"));
  try {
    const head = execFileSync("git", ["rev-parse", "HEAD"], { cwd: clone, env: GIT_ENV, encoding: "utf8" }).trim();
    const t0 = now();
    await run(clone, ["init", "-q", "--bare", scratch]);
    writeFileSync(path.join(scratch, "objects", "info", "alternates"), `${path.join(clone, ".git", "objects")}\n`);
    if (existsSync(path.join(clone, ".git", "shallow"))) copyFileSync(path.join(clone, ".git", "shallow"), path.join(scratch, "shallow"));
    await run(scratch, ["update-ref", "refs/heads/head", head]);
    await run(scratch, ["-c", "core.alternateRefsCommand=true", "-c", "core.fsync=none", "fetch", "-q", "--no-tags", "--no-write-fetch-head", "--depth=1", `file://${origin}`, `+refs/heads/${branch}:refs/heads/default`]);
    return now() - t0;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
