// Builds one benchmark repository with `git fast-import`, then clones it the way Bitbucket
// Pipelines does. Run as a child process (its memory is gone before anything is measured):
//
//   node bench/lib/generate.mjs <files> <dir>
//
// History: a base commit with every file, three small commits, then the branches fork:
//   main          +1 commit: ~0.5 % of the files modified, some added, some deleted;
//   feature/bench +1 commit: another ~0.5 % modified, a new module added, a few deleted
//                 (including a Dockerfile and a SECURITY.md that rules look at).
// So the two trees differ in ~1 % of their files, and main's tip is NOT in the feature clone:
// the pipe has to fetch it, as it does for every pull request whose target has moved on.
import { spawn, execFileSync } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { contentOf } from "./content.mjs";
import { planLayout } from "./layout.mjs";
import { rng } from "./random.mjs";
import { contentPaths, fileRuleExpressions, scorecardFiles } from "./scorecards.mjs";

export const FEATURE_BRANCH = "feature/bench";
export const REPOSITORY = "acme/bench-monorepo";
export const BASE_BRANCH = "develop";
const HISTORY = 60;
const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0", LC_ALL: "C" };

const git = (cwd, ...args) => execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 1 << 30 }).trim();

class Stream {
  constructor(child) {
    this.child = child;
    this.parts = [];
    this.bytes = 0;
  }
  async push(b) {
    const buf = typeof b === "string" ? Buffer.from(b) : b;
    this.parts.push(buf);
    this.bytes += buf.length;
    if (this.bytes > 8 << 20) await this.flush();
  }
  async flush() {
    if (!this.bytes) return;
    const chunk = Buffer.concat(this.parts, this.bytes);
    this.parts = [];
    this.bytes = 0;
    if (!this.child.stdin.write(chunk)) await once(this.child.stdin, "drain");
  }
}

const MODE = { symlink: "120000", submodule: "160000" };

async function writeFile(s, file, rev, ctx, override) {
  if (file.kind === "submodule") return s.push(`M 160000 ${"5e".repeat(20)} ${file.path}\n`);
  const bytes = override ?? contentOf(file, rev, ctx);
  await s.push(`M ${MODE[file.kind] ?? "100644"} inline ${file.path}\ndata ${bytes.length}\n`);
  await s.push(bytes);
  await s.push("\n");
}

let time = 1_700_000_000;
async function commit(s, ref, mark, from, message) {
  time += 3600;
  await s.push(`commit ${ref}\nmark :${mark}\nauthor Bench <bench@example.com> ${time} +0000\ncommitter Bench <bench@example.com> ${time} +0000\ndata ${Buffer.byteLength(message)}\n${message}\n`);
  if (from) await s.push(`from :${from}\n`);
}

export async function generate(fileCount, dir, { checkout = true } = {}) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const layout = planLayout(fileCount);
  const byPath = new Map();
  for (const f of layout.files) byPath.set(f.path, f);
  const cards = scorecardFiles(layout);
  for (const [p, text] of Object.entries(cards)) byPath.set(p, { path: p, kind: "fixed", text });
  const files = [...byPath.values()];
  const ctx = { repository: REPOSITORY };
  const texts = files.filter((f) => f.kind === "text");
  const r = rng(4242);
  const sample = (n, exclude) => {
    const out = new Set();
    while (out.size < n) {
      const f = texts[r.int(texts.length)];
      if (!exclude?.has(f) && !f.path.endsWith("README.md") && !f.path.endsWith("package.json")) out.add(f);
    }
    return out;
  };

  const origin = path.join(dir, "origin.git");
  git(dir, "init", "-q", "--bare", "-b", "main", origin);
  // Compression level 1 and no delta search: the import is zlib-bound, and what the benchmark
  // measures (tree listings, a few blob reads) does not depend on how the origin was packed.
  const child = spawn("git", ["-c", "pack.compression=1", "fast-import", "--depth=0", "--quiet", "--done"], { cwd: origin, env: GIT_ENV, stdio: ["pipe", "inherit", "inherit"] });
  const s = new Stream(child);

  await commit(s, "refs/heads/main", 1, undefined, "Initial import of the monorepo");
  for (const f of files) await writeFile(s, f, 0, ctx, f.kind === "fixed" ? Buffer.from(f.text) : undefined);
  // History longer than Pipelines' clone depth (50), so the clone is shallow as in real life.
  let mark = 1;
  for (let h = 1; h <= HISTORY; h++) {
    await commit(s, "refs/heads/main", ++mark, mark - 1, `History ${h}`);
    for (const f of sample(Math.max(3, Math.round(texts.length * 0.0002)))) await writeFile(s, f, h, ctx);
  }
  const fork = mark;
  // A branch at the fork point: the "target branch already in the clone" scenario (no fetch).
  await s.push(`reset refs/heads/${BASE_BRANCH}\nfrom :${fork}\n\n`);

  // main moves on: ~0.5 % modified, 0.05 % added, a few deleted.
  const onMain = sample(Math.round(texts.length * 0.005));
  await commit(s, "refs/heads/main", ++mark, fork, "Main moves on");
  for (const f of onMain) await writeFile(s, f, 100, ctx);
  for (let i = 0; i < Math.max(2, Math.round(texts.length * 0.0005)); i++) await writeFile(s, { path: `docs/notes/main-${i}.md`, kind: "text", size: 800 }, 100, ctx);
  const mainCommit = mark;

  // The feature branch: another ~0.5 % modified, a new module, a few deletions that rules notice.
  const onFeature = sample(Math.round(texts.length * 0.005), onMain);
  await commit(s, `refs/heads/${FEATURE_BRANCH}`, ++mark, fork, "Feature work");
  for (const f of onFeature) await writeFile(s, f, 200, ctx);
  const svc = layout.services[1];
  for (let i = 0; i < Math.max(5, Math.round(texts.length * 0.0005)); i++) await writeFile(s, { path: `${svc.dir}/src/feature/new_${i}.ts`, kind: "text", size: 900 }, 200, ctx);
  await s.push(`D ${layout.services[2].dir}/Dockerfile\n`);
  await writeFile(s, { path: `${layout.services[3].dir}/SECURITY.md`, kind: "text", size: 700 }, 200, ctx);
  const featureCommit = mark;
  await s.push("done\n");
  await s.flush();
  child.stdin.end();
  const [code] = await once(child, "close");
  if (code !== 0) throw new Error(`git fast-import exited with ${code}`);
  const imported = Date.now();

  const clone = path.join(dir, "clone");
  // Exactly how Pipelines clones a branch build (see FACTS.md): single branch, depth 50. The pipe
  // reads only git objects, never the work tree, so the largest size skips the checkout (a
  // million files written to disk take minutes and prove nothing here).
  git(dir, "clone", "-q", ...(checkout ? [] : ["--no-checkout"]), `--branch=${FEATURE_BRANCH}`, "--depth", "50", `file://${origin}`, clone);
  const cloned = Date.now();
  const manifest = {
    files: files.length,
    services: layout.services.length,
    origin,
    clone,
    checkout,
    shallow: git(clone, "rev-parse", "--is-shallow-repository") === "true",
    mainCommit: git(origin, "rev-parse", "refs/heads/main"),
    baseCommit: git(origin, "rev-parse", `refs/heads/${BASE_BRANCH}`),
    featureCommit: git(origin, "rev-parse", `refs/heads/${FEATURE_BRANCH}`),
    marks: { fork, mainCommit, featureCommit },
    changed: { main: onMain.size, feature: onFeature.size },
    seconds: { import: (imported - started) / 1000, clone: (cloned - imported) / 1000 },
    contentPaths: contentPaths(layout),
    peerExpressions: fileRuleExpressions(layout),
    originBytes: Number(git(origin, "count-objects", "-v").match(/size-pack: (\d+)/)?.[1] ?? 0) * 1024,
  };
  writeFileSync(path.join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [count, dir, mode] = process.argv.slice(2);
  const m = await generate(Number(count), path.resolve(dir), { checkout: mode !== "no-checkout" });
  process.stdout.write(`${JSON.stringify(m)}\n`);
}
