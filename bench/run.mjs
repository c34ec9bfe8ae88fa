#!/usr/bin/env node
// `npm run bench`: how close the pipe is to what git itself needs, and how its cost grows.
// Method, scenarios and caveats: bench/README.md. Never part of the tests.
//
//   BENCH_SIZES=10k,100k,1M   sizes to run (default: all three)
//   BENCH_RUNS=5              measured runs per figure, after one warm-up (default 5; medians)
//   BENCH_PEER=0              skip the repolinter comparison (default: at 10k; BENCH_PEER=100k adds 100k)
//   BENCH_DOCKER=0            skip the image figures (default: when the image exists)
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fetchOnce, floorOnce, neededBlobs } from "./lib/floor.mjs";
import { BASE_BRANCH, FEATURE_BRANCH, REPOSITORY } from "./lib/generate.mjs";
import { GNU_TIME, measure, median } from "./lib/measure.mjs";
import { installPeer, peerRuleset, PEER_VERSION } from "./lib/peer.mjs";
import { VARIANTS } from "./lib/scorecards.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const WORK = path.join(ROOT, "bench", ".work");
// BENCH_BUNDLE measures another build of the pipe (an older one, an experiment) the same way.
const BUNDLE = path.resolve(process.env.BENCH_BUNDLE ?? path.join(ROOT, "dist", "pipe.cjs"));
const IMAGE = "catalog-scorecard-pipe:ci";
const SIZES = { "10k": 10_000, "100k": 100_000, "1M": 1_000_000 };
const selected = (process.env.BENCH_SIZES ?? "10k,100k,1M").split(",").map((s) => s.trim()).filter(Boolean);
for (const s of selected) if (!(s in SIZES)) throw new Error(`BENCH_SIZES: unknown size "${s}" (use ${Object.keys(SIZES).join(", ")})`);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const GIT_ISOLATION = { GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };
const started = Date.now();
const log = (m) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${m}\n`);

if (!existsSync(BUNDLE)) throw new Error(`no bundle at ${BUNDLE}: run "npm run bench", which builds it first`);
mkdirSync(WORK, { recursive: true });

// ---------------------------------------------------------------------------------------------
// Repositories, cached under bench/.work/repos/<size>-<generator hash>.
const GENERATOR_HASH = createHash("sha256")
  .update(["generate", "layout", "content", "scorecards", "random"].map((f) => readFileSync(path.join(ROOT, "bench", "lib", `${f}.mjs`))).join("\0"))
  .digest("hex")
  .slice(0, 12);

function ensureRepo(size) {
  const reposDir = path.join(WORK, "repos");
  mkdirSync(reposDir, { recursive: true });
  const dir = path.join(reposDir, `${size}-${GENERATOR_HASH}`);
  const manifestFile = path.join(dir, "manifest.json");
  if (existsSync(manifestFile)) return { ...JSON.parse(readFileSync(manifestFile, "utf8")), cached: true };
  for (const old of readdirSync(reposDir)) if (old.startsWith(`${size}-`)) rmSync(path.join(reposDir, old), { recursive: true, force: true });
  log(`generating ${size} (git fast-import, then a Pipelines-style clone)…`);
  const r = spawnSync(process.execPath, ["--max-old-space-size=4096", path.join(ROOT, "bench", "lib", "generate.mjs"), String(SIZES[size]), dir, SIZES[size] >= 1_000_000 ? "no-checkout" : "checkout"], {
    stdio: ["ignore", "pipe", "inherit"],
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`generating ${size} failed (${r.status})`);
  return { ...JSON.parse(readFileSync(manifestFile, "utf8")), cached: false };
}

// ---------------------------------------------------------------------------------------------
// The pipe, as a user runs it: the bundle in the clone, dry run, no network.
function pipeEnv(outDir, extra = {}) {
  return {
    PATH: process.env.PATH,
    HOME: os.tmpdir(),
    TMPDIR: os.tmpdir(),
    LANG: "C.UTF-8",
    NO_COLOR: "1",
    ...GIT_ISOLATION,
    DRY_RUN: "true",
    CODE_INSIGHTS: "false",
    BITBUCKET_REPO_FULL_NAME: REPOSITORY,
    OUTPUT_DIR: outDir,
    JUNIT_FILE: path.join(outDir, "junit.xml"),
    ...extra,
  };
}

const SCENARIOS = {
  // A pull request whose target (main) moved on since the branch was cut: not in the clone.
  pr: { label: "PR, target moved (fetch)", scorecards: VARIANTS["150"], defaultBranch: undefined, expect: "mainCommit", rules: 150 },
  pr1000: { label: "same, 1,000 exists rules", scorecards: VARIANTS["1000"], defaultBranch: undefined, expect: "mainCommit", rules: 1050 },
  // The target branch's tip is an ancestor of the commit: already in the clone, no fetch.
  inClone: { label: "target in clone (no fetch)", scorecards: VARIANTS["150"], defaultBranch: BASE_BRANCH, expect: "baseCommit", rules: 150 },
};

async function runPipe(repo, scenario) {
  const s = SCENARIOS[scenario];
  const out = path.join(WORK, "out", scenario);
  rmSync(out, { recursive: true, force: true });
  const env = pipeEnv(out, { SCORECARDS: s.scorecards, ...(s.defaultBranch ? { DEFAULT_BRANCH: s.defaultBranch } : {}) });
  const r = await measure(process.execPath, [BUNDLE], { cwd: repo.clone, env, stdout: "ignore", timeoutMs: 600_000 });
  if (r.code !== 0 && r.code !== 1) throw new Error(`pipe (${scenario}) exited ${r.code}:\n${r.stderr.slice(-3000)}`);
  const report = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
  if (report.defaultBranch.commit !== repo[s.expect]) throw new Error(`pipe (${scenario}) read default branch ${report.defaultBranch.commit}, expected ${repo[s.expect]}`);
  const rules = report.entities.flatMap((e) => e.scorecards.flatMap((c) => c.rules));
  if (rules.length !== s.rules) throw new Error(`pipe (${scenario}) evaluated ${rules.length} rules, expected ${s.rules}`);
  return { ms: r.ms, rssKiB: r.rssKiB, cpuMs: r.cpuMs, signature: signature(report) };
}

/** Outcome counts per scorecard and tree: the same in every run of a scenario, or the run is wrong. */
function signature(report) {
  const counts = {};
  for (const e of report.entities)
    for (const c of e.scorecards)
      for (const r of c.rules) {
        const k = `${c.tag} ${r.defaultBranch.outcome}/${r.commit.outcome}`;
        counts[k] = (counts[k] ?? 0) + 1;
      }
  return Object.fromEntries(Object.entries(counts).sort());
}

// ---------------------------------------------------------------------------------------------
function stats(xs) {
  return { median: round(median(xs)), min: round(Math.min(...xs)), max: round(Math.max(...xs)), runs: xs.map(round) };
}
const round = (x) => Math.round(x * 10) / 10;
const mb = (kib) => (kib === undefined ? undefined : Math.round(kib / 102.4) / 10);

function gitVersion() {
  return execFileSync("git", ["--version"], { encoding: "utf8" }).trim();
}

async function startup() {
  log("bundle cold start: node dist/pipe.cjs --help vs node -e 0");
  const help = [];
  const node0 = [];
  for (let i = 0; i <= Math.max(RUNS, 10); i++) {
    const a = await measure(process.execPath, ["-e", "0"]);
    const b = await measure(process.execPath, [BUNDLE, "--help"], { stdout: "ignore" });
    if (b.code !== 0) throw new Error(`--help exited ${b.code}: ${b.stderr}`);
    if (i === 0) continue; // warm-up
    node0.push(a.ms);
    help.push(b.ms);
  }
  return { helpMs: stats(help), nodeMs: stats(node0), bundleBytes: statSync(BUNDLE).size };
}

async function benchSize(size) {
  const repo = ensureRepo(size);
  log(`${size}: ${repo.files} files, ${repo.services} services${repo.cached ? " (cached)" : ` (made in ${repo.seconds.import + repo.seconds.clone} s)`}; clone is ${repo.shallow ? "shallow" : "NOT shallow"}`);
  const blobs = neededBlobs(repo.origin, [repo.featureCommit, repo.mainCommit], repo.contentPaths);
  // The 1,000-rule variant is measured up to 100k (at 1M it would add two minutes and say
  // nothing the smaller sizes do not). At 1M the repository was just generated or read by the
  // previous run, so there is no warm-up round: the median of the runs absorbs a cold first one.
  const scenarios = Object.keys(SCENARIOS).filter((k) => k !== "pr1000" || SIZES[size] <= 100_000);
  const warmUp = SIZES[size] >= 1_000_000 ? 0 : 1;
  const samples = { node: [], floor: [], floorList: [], floorBlobs: [], fetch: [], pr: [], pr1000: [], inClone: [] };
  const rss = { pr: [], pr1000: [], inClone: [] };
  const cpu = { pr: [], pr1000: [], inClone: [] };
  const signatures = {};
  // Interleaved rounds, so that a slow minute on a shared machine hits every figure alike.
  for (let round = 1 - warmUp; round <= RUNS; round++) {
    const n = await measure(process.execPath, ["-e", "0"]);
    const f = await floorOnce(repo.origin, [repo.featureCommit, repo.mainCommit], blobs);
    const fetchMs = await fetchOnce(repo.clone, repo.origin, "main");
    const runs = {};
    for (const scenario of scenarios) runs[scenario] = await runPipe(repo, scenario);
    for (const [k, v] of Object.entries(runs)) signatures[k] ??= v.signature;
    if (round === 0) {
      log(`${size}: warm-up done (pipe ${runs.pr.ms.toFixed(0)} ms, floor ${f.ms.toFixed(0)} ms)`);
      continue;
    }
    for (const [k, v] of Object.entries(runs)) {
      if (JSON.stringify(v.signature) !== JSON.stringify(signatures[k])) throw new Error(`${size} ${k}: outcomes differ between runs`);
      samples[k].push(v.ms);
      rss[k].push(v.rssKiB ?? NaN);
      cpu[k].push(v.cpuMs ?? NaN);
    }
    samples.node.push(n.ms);
    samples.floor.push(f.ms);
    samples.floorList.push(f.listMs);
    samples.floorBlobs.push(f.blobsMs);
    samples.fetch.push(fetchMs);
    log(`${size}: round ${round}/${RUNS}: pipe ${scenarios.map((k) => runs[k].ms.toFixed(0)).join(" / ")} ms, floor ${f.ms.toFixed(0)} + fetch ${fetchMs.toFixed(0)} ms`);
  }
  const med = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  const result = {
    files: repo.files,
    services: repo.services,
    changedFiles: repo.changed,
    shallowClone: repo.shallow,
    checkout: repo.checkout,
    originPackMB: Math.round(repo.originBytes / 1048576),
    generationSeconds: repo.seconds,
    blobsRead: blobs.length,
    nodeMs: stats(samples.node),
    floorMs: stats(samples.floor),
    floorListMs: stats(samples.floorList),
    floorBlobsMs: stats(samples.floorBlobs),
    fetchMs: stats(samples.fetch),
    pipe: Object.fromEntries(
      scenarios.map((k) => [
        k,
        { label: SCENARIOS[k].label, wallMs: stats(samples[k]), cpuMs: stats(cpu[k]), peakRssMB: { max: mb(Math.max(...rss[k])), median: mb(median(rss[k])) }, outcomes: signatures[k] },
      ]),
    ),
    ratios: {
      prOverFloor: round2(med.pr / (med.floor + med.node)),
      prOverFloorWithFetch: round2(med.pr / (med.floor + med.fetch + med.node)),
      inCloneOverFloor: round2(med.inClone / (med.floor + med.node)),
      exists1000Over100: scenarios.includes("pr1000") ? round2(med.pr1000 / med.pr) : undefined,
    },
    msPer1kFiles: { pr: round2(med.pr / (repo.files / 1000)), inClone: round2(med.inClone / (repo.files / 1000)), floor: round2(med.floor / (repo.files / 1000)) },
  };
  const peerUpTo = process.env.BENCH_PEER === "0" ? 0 : SIZES[process.env.BENCH_PEER ?? "10k"] ?? 10_000;
  if (repo.checkout && SIZES[size] <= peerUpTo) result.peer = await peer(repo, size);
  return result;
}
const round2 = (x) => Math.round(x * 100) / 100;

async function peer(repo, size) {
  let bin;
  try {
    log(`peer: repolinter ${PEER_VERSION} (installed into bench/.work/peer only)`);
    bin = installPeer(path.join(WORK, "peer"));
  } catch (e) {
    return { skipped: `could not install repolinter: ${e.message.split("\n")[0]}` };
  }
  const isDir = (p) => spawnSync("git", ["cat-file", "-t", `HEAD:${p}`], { cwd: repo.clone, encoding: "utf8" }).stdout.trim() === "tree";
  const ruleset = peerRuleset(repo.peerExpressions, isDir);
  const file = path.join(WORK, "peer", `ruleset-${size}.json`);
  writeFileSync(file, JSON.stringify(ruleset, null, 1));
  const times = [];
  for (let i = 0; i <= Math.min(RUNS, 3); i++) {
    const r = await measure(process.execPath, [bin, "lint", repo.clone, "-r", file, "-f", "json"], { cwd: repo.clone, env: { ...process.env, ...GIT_ISOLATION }, stdout: "ignore", timeoutMs: 300_000 });
    if (r.code === null) return { skipped: "repolinter took longer than 300 s" };
    if (i > 0) times.push(r.ms);
  }
  return { tool: `repolinter ${PEER_VERSION}`, rules: Object.keys(ruleset.rules).length, wallMs: stats(times), note: "one working tree (the checkout); the pipe reads two trees from git objects" };
}

async function dockerFigures() {
  if (process.env.BENCH_DOCKER === "0") return { skipped: "BENCH_DOCKER=0" };
  const inspect = spawnSync("docker", ["image", "inspect", IMAGE, "--format", "{{.Size}}"], { encoding: "utf8" });
  if (inspect.status !== 0) return { skipped: `docker image inspect ${IMAGE} failed (run .ci/docker.sh start to build it)` };
  log(`docker: ${IMAGE} cold start (docker run --rm … --help)`);
  const times = [];
  for (let i = 0; i <= RUNS; i++) {
    const r = await measure("docker", ["run", "--rm", "--network", "none", IMAGE, "--help"], { stdout: "ignore", timeoutMs: 120_000 });
    if (r.code !== 0) return { skipped: `docker run failed: ${r.stderr.trim().split("\n").pop()}` };
    if (i > 0) times.push(r.ms);
  }
  return { image: IMAGE, sizeMB: Math.round(Number(inspect.stdout.trim()) / 1048576), coldStartMs: stats(times) };
}

// ---------------------------------------------------------------------------------------------
function targets(results) {
  const t = [];
  const at100k = results.sizes["100k"];
  if (at100k) {
    t.push({ target: "100k: pipe ≤ 2× (floor + node start-up), PR with fetch", value: at100k.ratios.prOverFloor, limit: 2 });
    t.push({ target: "100k: pipe ≤ 2× (floor + fetch + node start-up), PR with fetch", value: at100k.ratios.prOverFloorWithFetch, limit: 2 });
    t.push({ target: "100k: pipe ≤ 2× (floor + node start-up), target in clone", value: at100k.ratios.inCloneOverFloor, limit: 2 });
    t.push({ target: "100k: peak RSS ≤ 250 MB", value: Math.max(...Object.values(at100k.pipe).map((p) => p.peakRssMB.max)), limit: 250, unit: "MB" });
    t.push({ target: "100k: 1,000 exists rules ≤ +10 % over 100", value: round2((at100k.ratios.exists1000Over100 - 1) * 100), limit: 10, unit: "%" });
  }
  if (results.growth.prFrom100kTo1M !== undefined) {
    t.push({ target: "growth: 1M ≤ 11× 100k (PR with fetch)", value: results.growth.prFrom100kTo1M, limit: 11 });
    t.push({ target: "growth: 1M ≤ 11× 100k (target in clone)", value: results.growth.inCloneFrom100kTo1M, limit: 11 });
  }
  t.push({ target: "bundle --help ≤ 250 ms median", value: results.startup.helpMs.median, limit: 250, unit: "ms" });
  return t.map((x) => ({ ...x, met: x.value <= x.limit }));
}

function table(results) {
  const lines = [];
  const pad = (s, n) => String(s).padStart(n);
  lines.push(`catalog-scorecard-pipe benchmark — ${results.machine.cpus} × ${results.machine.cpuModel}, ${results.machine.node}, ${results.machine.git}; median of ${RUNS} runs`);
  lines.push("");
  lines.push(["size", "files", "floor", "fetch", "node", "pipe PR", "PR 1000", "in-clone", "PR/(fl+node)", "PR/(fl+fetch+node)", "in-clone/(fl+node)", "RSS MB", "ms/1k"].map((h, i) => (i ? pad(h, i >= 8 ? h.length : 9) : h.padEnd(5))).join(" "));
  for (const [size, r] of Object.entries(results.sizes)) {
    lines.push(
      [
        size.padEnd(5),
        pad(r.files, 9),
        pad(r.floorMs.median.toFixed(0), 9),
        pad(r.fetchMs.median.toFixed(0), 9),
        pad(r.nodeMs.median.toFixed(0), 9),
        pad(r.pipe.pr.wallMs.median.toFixed(0), 9),
        pad(r.pipe.pr1000 ? r.pipe.pr1000.wallMs.median.toFixed(0) : "-", 9),
        pad(r.pipe.inClone.wallMs.median.toFixed(0), 9),
        pad(r.ratios.prOverFloor.toFixed(2), 12),
        pad(r.ratios.prOverFloorWithFetch.toFixed(2), 18),
        pad(r.ratios.inCloneOverFloor.toFixed(2), 18),
        pad(Math.max(...Object.values(r.pipe).map((p) => p.peakRssMB.max)).toFixed(0), 6),
        pad(r.msPer1kFiles.pr.toFixed(2), 5),
      ].join(" "),
    );
  }
  lines.push("(ms; floor = ls-tree -r of both trees at once + cat-file of the blobs the rules read; fetch = git fetch --depth=1 of the moved target)");
  lines.push("");
  const g = results.growth;
  if (g.prFrom10kTo100k !== undefined) lines.push(`growth 10k→100k: PR ×${g.prFrom10kTo100k}, in-clone ×${g.inCloneFrom10kTo100k}, floor ×${g.floorFrom10kTo100k}`);
  if (g.prFrom100kTo1M !== undefined) lines.push(`growth 100k→1M:  PR ×${g.prFrom100kTo1M}, in-clone ×${g.inCloneFrom100kTo1M}, floor ×${g.floorFrom100kTo1M}`);
  for (const [size, r] of Object.entries(results.sizes)) {
    if (r.ratios.exists1000Over100 !== undefined) lines.push(`1,000 vs 100 exists rules at ${size}: ${r.ratios.exists1000Over100 >= 1 ? "+" : ""}${((r.ratios.exists1000Over100 - 1) * 100).toFixed(1)} %`);
  }
  for (const [size, r] of Object.entries(results.sizes)) {
    lines.push(`cpu (user+sys, pipe and its git children) at ${size}: ${Object.entries(r.pipe).map(([k, v]) => `${k} ${v.cpuMs.median.toFixed(0)} ms`).join(", ")}`);
  }
  lines.push(`bundle: ${(results.startup.bundleBytes / 1048576).toFixed(2)} MB; --help ${results.startup.helpMs.median.toFixed(0)} ms median (node -e 0: ${results.startup.nodeMs.median.toFixed(0)} ms)`);
  const d = results.docker;
  lines.push(d.skipped ? `image: skipped (${d.skipped})` : `image ${d.image}: ${d.sizeMB} MB; container cold start (--help) ${d.coldStartMs.median.toFixed(0)} ms median`);
  for (const [size, r] of Object.entries(results.sizes)) {
    if (!r.peer) continue;
    lines.push(r.peer.skipped ? `peer at ${size}: skipped (${r.peer.skipped})` : `peer at ${size}: ${r.peer.tool}, ${r.peer.rules} equivalent rules on the checkout: ${r.peer.wallMs.median.toFixed(0)} ms; pipe PR / peer = ${(r.pipe.pr.wallMs.median / r.peer.wallMs.median).toFixed(2)}`);
  }
  lines.push("");
  for (const t of results.targets) lines.push(`${t.met ? "MET   " : "MISSED"} ${t.target}: ${t.value}${t.unit ?? "×"} (limit ${t.limit}${t.unit ?? "×"})`);
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------
const results = {
  schemaVersion: 1,
  command: `BENCH_SIZES=${selected.join(",")} BENCH_RUNS=${RUNS}${process.env.BENCH_BUNDLE ? ` BENCH_BUNDLE=${process.env.BENCH_BUNDLE}` : ""} npm run bench`,
  bundle: path.relative(ROOT, BUNDLE),
  date: new Date().toISOString(),
  machine: {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    git: gitVersion(),
    peakRssFrom: GNU_TIME ? `GNU time (${GNU_TIME} -f %M)` : "/proc/<pid>/status VmHWM, polled",
    loadAverageAtStart: os.loadavg().map(round2),
  },
  generator: GENERATOR_HASH,
  startup: await startup(),
  sizes: {},
  growth: {},
};
for (const size of ["10k", "100k", "1M"].filter((s) => selected.includes(s))) results.sizes[size] = await benchSize(size);
const s = results.sizes;
const ratio = (a, b) => (a && b ? round2(a / b) : undefined);
results.growth = {
  prFrom10kTo100k: ratio(s["100k"]?.pipe.pr.wallMs.median, s["10k"]?.pipe.pr.wallMs.median),
  prFrom100kTo1M: ratio(s["1M"]?.pipe.pr.wallMs.median, s["100k"]?.pipe.pr.wallMs.median),
  inCloneFrom10kTo100k: ratio(s["100k"]?.pipe.inClone.wallMs.median, s["10k"]?.pipe.inClone.wallMs.median),
  inCloneFrom100kTo1M: ratio(s["1M"]?.pipe.inClone.wallMs.median, s["100k"]?.pipe.inClone.wallMs.median),
  floorFrom10kTo100k: ratio(s["100k"]?.floorMs.median, s["10k"]?.floorMs.median),
  floorFrom100kTo1M: ratio(s["1M"]?.floorMs.median, s["100k"]?.floorMs.median),
};
results.docker = await dockerFigures();
results.machine.loadAverageAtEnd = os.loadavg().map(round2);
results.totalSeconds = Math.round((Date.now() - started) / 1000);
results.targets = targets(results);
// BENCH_OUT: where to write the results (default bench/results.json).
const outFile = path.resolve(process.env.BENCH_OUT ?? path.join(ROOT, "bench", "results.json"));
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
process.stdout.write(`${table(results)}\n\nwrote ${path.relative(ROOT, outFile)} in ${results.totalSeconds} s\n`);
