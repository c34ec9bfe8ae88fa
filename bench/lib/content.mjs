// File contents for the generated repositories: plausible text per file type (so zlib and git
// see code-like, compressible data), real JSON/YAML where rules parse it, random bytes for
// binaries. Every file starts with its own path and revision, so no two blobs are identical.
import { rng } from "./random.mjs";

const TOKENS = {
  code: [
    "const", "let", "return", "if", "else", "for", "await", "async", "function", "class", "new", "this", "import", "export",
    "value", "result", "request", "response", "error", "config", "context", "items", "index", "count", "options", "handler",
    "null", "true", "false", "=", "==", "!==", "=>", "(", ")", "{", "}", ";", ".", ",", "+", "0", "1", "42", "\"ok\"",
  ],
  prose: [
    "the", "service", "handles", "requests", "from", "clients", "and", "stores", "results", "in", "a", "queue", "before",
    "sending", "them", "to", "downstream", "systems", "when", "retries", "fail", "we", "alert", "on-call", "engineers",
    "see", "runbook", "for", "details", "about", "deployments", "metrics", "latency", "errors", "owners", "team",
  ],
};

/** A pool of lines per style, made once. */
function linePool(style, seed) {
  const r = rng(seed);
  const words = style === "prose" ? TOKENS.prose : TOKENS.code;
  const lines = [];
  for (let i = 0; i < 4096; i++) {
    const indent = style === "prose" ? "" : "  ".repeat(r.int(4));
    const n = 3 + r.int(style === "prose" ? 14 : 9);
    const parts = [];
    for (let j = 0; j < n; j++) parts.push(r.pick(words));
    let line = indent + parts.join(" ");
    if (style === "yaml") line = `${"  ".repeat(r.int(3))}${r.pick(words.filter((w) => /^[a-z]+$/.test(w)))}_${i}: ${parts.slice(1).join(" ").replace(/[:{}[\],&*#?|<>=!%@`"']/g, "x")}`;
    if (style === "prose" && i % 9 === 0) line = `## ${line}`;
    lines.push(Buffer.from(`${line}\n`));
  }
  return lines;
}

const pools = new Map();
function pool(style) {
  let p = pools.get(style);
  if (!p) {
    p = linePool(style, style.length * 7919);
    pools.set(style, p);
  }
  return p;
}

const COMMENT = { ts: "//", js: "//", java: "//", go: "//", py: "#", yaml: "#", yml: "#", toml: "#", cfg: "#", sum: "//", md: "<!--", Dockerfile: "#", Makefile: "#" };

function styleOf(path) {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const ext = base.includes(".") ? base.slice(base.lastIndexOf(".") + 1) : base;
  if (ext === "md") return { style: "prose", comment: (s) => `<!-- ${s} -->` };
  if (ext === "yaml" || ext === "yml" || ext === "toml" || ext === "cfg") return { style: "yaml", comment: (s) => `# ${s}` };
  const c = COMMENT[ext] ?? "#";
  return { style: "code", comment: (s) => `${c} ${s}` };
}

/** Text of about `size` bytes from the pool, after a unique header. */
export function filler(path, size, rev, header = "") {
  const { style, comment } = styleOf(path);
  const r = rng(hash(`${path}#${rev}`));
  const lines = pool(style);
  const parts = [Buffer.from(`${comment(`${path} rev ${rev}`)}\n${header}`)];
  let n = parts[0].length;
  while (n < size) {
    const l = lines[r.int(lines.length)];
    parts.push(l);
    n += l.length;
  }
  return Buffer.concat(parts, n);
}

export function hash(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function randomBytes(size, seed) {
  const r = rng(seed);
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i + 4 <= size; i += 4) b.writeUInt32LE((r.next() * 4294967296) >>> 0, i);
  for (let i = size - (size % 4); i < size; i++) b[i] = r.int(256);
  return b;
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The bytes of one planned file (see layout.mjs) at revision `rev` (0 = base). */
export function contentOf(file, rev, ctx) {
  const { path, kind } = file;
  const base = path.slice(path.lastIndexOf("/") + 1);
  switch (kind) {
    case "symlink":
      return Buffer.from(file.target);
    case "binary": {
      const b = randomBytes(file.size, hash(`${path}#${rev}`));
      if (base.endsWith(".png")) PNG_MAGIC.copy(b, 0);
      b[9] = 0; // a NUL early on: binary by any heuristic
      return b;
    }
    case "lfs":
      return Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${hash(path).toString(16).padStart(8, "0").repeat(8)}\nsize 48211987\n`);
    case "special":
      return special(path, ctx);
    default:
      break;
  }
  const size = file.size;
  if (base === "package.json") return packageJson(path, size, rev);
  if (base === "README.md") return filler(path, size, rev, `# ${path.split("/").slice(-2, -1)[0] ?? "monorepo"}\n\n## Getting started\n\nRun \`make dev\`, then open http://localhost:8080.\n\n`);
  if (base === "CHANGELOG.md" || base === "CHANGELOG-archive.md") return changelog(path, size, rev);
  if (base === "Dockerfile") return filler(path, size, rev, `FROM ${path.includes("services/") ? "node:20-bookworm-slim" : "debian:bookworm-slim"}\nWORKDIR /app\nCOPY . .\nUSER node\n`);
  if (base === "openapi.yaml") return openapi(path, size, rev);
  if (base === "bitbucket-pipelines.yml") return Buffer.from(`image: node:20\npipelines:\n  default:\n    - step:\n        name: Test\n        script:\n          - make test\n    - step:\n        name: Scorecard\n        script:\n          - pipe: docker://acme/catalog-scorecard-pipe:1.0.0\n  branches:\n    main:\n      - step:\n          script:\n            - make deploy\n# rev ${rev}\n`);
  if (base === "values.yaml") return largeYaml(path, size, rev);
  if (base.endsWith(".json")) return jsonFile(path, size, rev);
  return filler(path, size, rev);
}

function packageJson(path, size, rev) {
  const name = path === "package.json" ? "monorepo" : path.split("/").slice(-2, -1)[0];
  const deps = {};
  const r = rng(hash(`${path}#${rev}`));
  const pkgs = ["express", "undici", "zod", "pino", "yaml", "ajv", "lodash", "dayjs", "uuid", "pg", "ioredis", "kafkajs", "fastify", "jsonwebtoken", "prom-client"];
  let i = 0;
  while (JSON.stringify(deps).length < size - 300) deps[`${r.pick(pkgs)}${i++ ? `-${i}` : ""}`] = `${1 + r.int(9)}.${r.int(20)}.${r.int(10)}`;
  const json = {
    name: `@acme/${name}`,
    version: `1.${rev}.0`,
    private: true,
    engines: { node: ">=20" },
    scripts: { build: "tsc -p .", test: "vitest run", lint: "eslint ." },
    ...(path === "package.json" ? { workspaces: ["services/*/*"] } : {}),
    dependencies: deps,
  };
  return Buffer.from(`${JSON.stringify(json, null, 2)}\n`);
}

function changelog(path, size, rev) {
  const parts = [`# Changelog\n\n<!-- ${path} rev ${rev} -->\n`];
  let n = parts[0].length;
  for (let v = Math.ceil(size / 400); v >= 0 && n < size; v--) {
    const s = `\n## ${Math.floor(v / 100)}.${Math.floor(v / 10) % 10}.${v % 10}\n\n- Fixed the thing that broke in ${v}.\n- Added retries with backoff to the downstream client.\n- Bumped dependencies; see the lockfile for details and the release notes.\n- Documented the new configuration keys and their defaults.\n`;
    parts.push(s);
    n += s.length;
  }
  return Buffer.from(parts.join(""));
}

function openapi(path, size, rev) {
  const name = path.split("/").slice(-2, -1)[0];
  const parts = [`# ${path} rev ${rev}\nopenapi: 3.0.1\ninfo:\n  title: ${name}\n  version: 1.${rev}.0\npaths:\n`];
  let n = parts[0].length;
  for (let i = 0; n < size; i++) {
    const s = `  /v1/${name}/resource${i}:\n    get:\n      operationId: get${i}\n      responses:\n        "200":\n          description: the resource ${i}\n`;
    parts.push(s);
    n += s.length;
  }
  return Buffer.from(parts.join(""));
}

function largeYaml(path, size, rev) {
  const parts = [`# ${path} rev ${rev}\nfixtures:\n`];
  let n = parts[0].length;
  for (let i = 0; n < size; i++) {
    const s = `  - id: fixture-${i}\n    name: Fixture number ${i}\n    enabled: ${i % 3 !== 0}\n    weight: ${(i * 37) % 101}\n`;
    parts.push(s);
    n += s.length;
  }
  return Buffer.from(parts.join(""));
}

function jsonFile(path, size, rev) {
  const items = [];
  let n = 0;
  for (let i = 0; n < size; i++) {
    const item = { id: i, path: `${path}#${i}`, enabled: i % 2 === 0, rev };
    items.push(item);
    n += JSON.stringify(item).length + 4;
  }
  return Buffer.from(`${JSON.stringify({ items }, null, 1)}\n`);
}

function special(path, ctx) {
  if (path === "cortex.yaml") {
    return Buffer.from(`openapi: 3.0.1
info:
  title: Bench Monorepo
  description: A generated monorepo for the catalog-scorecard-pipe benchmark.
  x-cortex-tag: bench-monorepo
  x-cortex-type: service
  x-cortex-owners:
    - type: GROUP
      name: platform-engineering
      provider: CORTEX
  x-cortex-groups:
    - tier-1
  x-cortex-git:
    bitbucket:
      repository: ${ctx.repository}
  x-cortex-custom-metadata:
    tier: 1
`);
  }
  if (path === ".gitmodules") return Buffer.from('[submodule "vendor/shared-protos"]\n\tpath = vendor/shared-protos\n\turl = ../shared-protos.git\n');
  if (path === "data/catalog.json") return jsonFile(path, 1_000_000, 0);
  throw new Error(`no content for special file ${path}`);
}
