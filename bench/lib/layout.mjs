// The shape of a generated monorepo: services grouped by domain, each in one of four languages
// with the files such a service really has (manifest, Dockerfile, OpenAPI, sources in modules of
// 10–30 files, tests, docs, the odd image), plus root files, large and binary files, a symlink to
// a file, a symlink to a directory, a Git LFS pointer and a submodule.
import { rng } from "./random.mjs";

const DOMAINS = [
  "payments", "identity", "catalog", "search", "orders", "shipping", "billing", "analytics", "platform", "notifications",
  "inventory", "pricing", "reviews", "media", "accounts", "fraud", "ledger", "support", "marketing", "partners",
];
const NOUNS = [
  "gateway", "ledger", "router", "indexer", "worker", "scheduler", "api", "service", "adapter", "store", "cache", "proxy",
  "engine", "bridge", "collector", "exporter", "importer", "validator", "resolver", "registry", "broker", "monitor", "sync",
  "reporter", "planner", "matcher", "builder", "watcher", "tracker", "dispatcher",
];
const ADJECTIVES = [
  "core", "edge", "batch", "stream", "legacy", "public", "internal", "async", "fast", "smart", "secure", "global", "local",
  "shared", "main", "admin", "mobile", "web", "partner", "realtime",
];
const MODULES = [
  "auth", "config", "db", "handlers", "http", "jobs", "metrics", "models", "queue", "routes", "schema", "storage", "utils",
  "validation", "events", "clients", "domain", "middleware", "reports", "export",
];
const WORDS = [
  "account", "address", "amount", "batch", "cart", "charge", "client", "currency", "customer", "device", "entry", "event",
  "invoice", "item", "job", "key", "limit", "merchant", "order", "owner", "payment", "policy", "price", "profile", "quote",
  "record", "refund", "request", "result", "rule", "session", "token", "transfer", "user", "wallet", "webhook",
];

export const LANGS = {
  ts: { manifest: "package.json", extras: ["tsconfig.json", ".eslintrc.json"], src: (m) => `src/${m}`, file: (w) => `${w}.ts`, test: (m, w) => `test/${m}/${w}.test.ts` },
  java: { manifest: "pom.xml", extras: ["src/main/resources/application.yaml"], src: (m, svc) => `src/main/java/com/acme/${svc.replace(/-/g, "")}/${m}`, file: (w) => `${pascal(w)}.java`, test: (m, w, svc) => `src/test/java/com/acme/${svc.replace(/-/g, "")}/${m}/${pascal(w)}Test.java` },
  go: { manifest: "go.mod", extras: ["go.sum"], src: (m) => `internal/${m}`, file: (w) => `${w}.go`, test: (m, w) => `internal/${m}/${w}_test.go` },
  py: { manifest: "pyproject.toml", extras: ["setup.cfg"], src: (m, svc) => `src/${svc.replace(/-/g, "_")}/${m}`, file: (w) => `${w}.py`, test: (m, w) => `tests/${m}/test_${w}.py` },
};

function pascal(w) {
  return w.replace(/(^|_)([a-z])/g, (_, __, c) => c.toUpperCase());
}

/**
 * Plans a repository of about `fileCount` files. Returns the file list (path + how to make its
 * content) and the facts the scorecards are built from. Nothing is written here.
 */
export function planLayout(fileCount, seed = 7) {
  const r = rng(seed);
  /** @type {{path: string, kind: string, size?: number, lang?: string, target?: string, text?: string}[]} */
  const files = [];
  const add = (path, kind, extra = {}) => files.push({ path, kind, ...extra });
  const text = (path, size) => add(path, "text", { size: Math.round(size) });
  const sourceSize = () => Math.min(200_000, Math.max(60, r.logNormal(600, 1.0)));

  // Root files, large files, binary files, a symlink to a file and one to a directory, an LFS
  // pointer, a submodule.
  for (const [p, s] of [["README.md", 4000], ["CHANGELOG.md", 12000], ["LICENSE", 1070], ["Makefile", 900], [".gitignore", 120], ["Dockerfile", 600], ["bitbucket-pipelines.yml", 1500], ["package.json", 900], ["docs/architecture.md", 9000], ["docs/runbook.md", 5000], ["docs/adr/0001-monorepo.md", 2500]]) text(p, s);
  add("cortex.yaml", "special");
  add(".gitmodules", "special");
  add("data/catalog.json", "special"); // ~1 MB JSON, read by jq
  text("docs/CHANGELOG-archive.md", 900_000);
  text("data/fixtures/values.yaml", 30_000); // a Helm-style values file, read by jq
  add("docs/README.md", "symlink", { target: "../README.md" });
  add("vendor/shared-protos", "submodule");
  add("assets/design/mockup.psd", "lfs");
  add("assets/logo.png", "binary", { size: 40_000 });
  add("assets/video/intro.mp4", "binary", { size: 8_000_000 });
  add("tools/bin/protoc", "binary", { size: 6_000_000 });
  add("data/model.bin", "binary", { size: 3_000_000 });

  const serviceCount = Math.max(8, Math.round(fileCount / 200));
  const used = new Set();
  const services = [];
  let remaining = fileCount - files.length;
  for (let i = 0; i < serviceCount; i++) {
    const domain = DOMAINS[i % DOMAINS.length];
    let name;
    do name = `${r.pick(ADJECTIVES)}-${r.pick(NOUNS)}${used.size >= ADJECTIVES.length * NOUNS.length * 0.5 ? `-${r.int(1000)}` : ""}`;
    while (used.has(`${domain}/${name}`));
    used.add(`${domain}/${name}`);
    const langKey = r.next() < 0.5 ? "ts" : r.next() < 0.5 ? "java" : r.next() < 0.6 ? "go" : "py";
    const lang = LANGS[langKey];
    const dir = `services/${domain}/${name}`;
    const target = Math.max(12, Math.round((remaining / (serviceCount - i)) * (0.5 + r.next())));
    const svc = { dir, domain, name, lang: langKey, manifest: `${dir}/${lang.manifest}`, sources: [], tests: [], docs: [], modules: [], hasDocs: false, hasFixtures: false };
    const start = files.length;
    text(`${dir}/README.md`, 1500 + r.int(4000));
    text(svc.manifest, 400 + r.int(1200));
    text(`${dir}/Dockerfile`, 300 + r.int(600));
    text(`${dir}/openapi.yaml`, 1500 + r.int(8000));
    text(`${dir}/CHANGELOG.md`, 500 + r.int(5000));
    for (const e of lang.extras) text(`${dir}/${e}`, 200 + r.int(800));
    if (r.next() < 0.7) {
      svc.hasDocs = true;
      for (let d = 0; d < 2 + r.int(4); d++) {
        const p = `${dir}/docs/${r.pick(WORDS)}-${d}.md`;
        svc.docs.push(p);
        text(p, sourceSize() * 2);
      }
    }
    let m = 0;
    while (files.length - start < target) {
      const module = MODULES[m % MODULES.length] + (m >= MODULES.length ? `${Math.floor(m / MODULES.length)}` : "");
      svc.modules.push(module);
      const srcDir = `${dir}/${lang.src(module, name)}`;
      const inModule = 10 + r.int(20);
      for (let f = 0; f < inModule && files.length - start < target; f++) {
        const w = `${r.pick(WORDS)}_${r.pick(WORDS)}${f}`;
        // A sub-package now and then, so depth varies.
        const sub = f % 7 === 6 ? `/${r.pick(MODULES)}` : "";
        const p = `${srcDir}${sub}/${lang.file(w)}`;
        if (svc.sources.length < 6) svc.sources.push(p);
        text(p, sourceSize());
        if (r.next() < 0.35 && files.length - start < target) {
          const t = `${dir}/${lang.test(module, w, name)}`;
          if (svc.tests.length < 4) svc.tests.push(t);
          text(t, sourceSize() * 1.3);
        }
        if (r.next() < 0.005 && files.length - start < target) add(`${dir}/assets/${w}.png`, "binary", { size: 2000 + r.int(30000) });
        if (r.next() < 0.01 && files.length - start < target) {
          svc.hasFixtures = true;
          text(`${dir}/test/fixtures/${w}.json`, 1000 + r.int(50000));
        }
      }
      m++;
    }
    remaining -= files.length - start;
    services.push(svc);
  }
  // A symlink to a directory (a "current" alias for the first service).
  add("current", "symlink", { target: services[0].dir });
  return { files, services, seed };
}
