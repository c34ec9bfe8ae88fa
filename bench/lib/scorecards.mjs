// The benchmark's scorecards, built from the generated layout so the rules point at real paths
// (and, on purpose, at some that are missing, miscased, behind a symlink or in a submodule).
//
//   exists-N:   N git.fileExists rules — 45 % existing files, 10 % missing or miscased files,
//               20 % directories, 20 % globs (half inside one service, half across a domain or
//               the repository), 5 % symlinks, the submodule and root files;
//   contents:   40 rules over 40 distinct files up to 1 MB — matches/matchesIn/contains on text,
//               jq on JSON and YAML, and files that cannot be read here (binary, LFS, > 5 MB);
//   catalog:    10 rules that need data only the catalog has (outcome: skip).
import { rng } from "./random.mjs";

const LADDER = `ladder:
  name: Bench
  levels:
    - name: Bronze
      rank: 1
    - name: Silver
      rank: 2
    - name: Gold
      rank: 3
`;

function card(tag, name, exprs) {
  const levels = ["Bronze", "Silver", "Gold"];
  const rules = exprs.map(
    (e, i) => `  - title: ${JSON.stringify(`${name} ${i + 1}`)}
    identifier: ${tag}-${String(i + 1).padStart(4, "0")}
    expression: ${JSON.stringify(e)}
    weight: ${1 + (i % 3)}
    level: ${levels[i % 3]}
`,
  );
  return `tag: ${tag}\nname: ${JSON.stringify(name)}\ndescription: Generated for the benchmark.\n${LADDER}rules:\n${rules.join("")}`;
}

const q = (s) => JSON.stringify(s);

/** `count` distinct fileExists expressions in the proportions above. */
export function existsRules(layout, count, seed) {
  const r = rng(seed);
  const { services } = layout;
  const svc = () => r.pick(services);
  const domains = [...new Set(services.map((s) => s.domain))];
  const out = new Set();
  // The feature branch deletes services[2]'s Dockerfile and adds services[3]'s SECURITY.md.
  const changedByFeature = [`${services[2].dir}/Dockerfile`, `${services[3].dir}/SECURITY.md`];
  for (const p of changedByFeature) out.add(`git.fileExists(${q(p)})`);
  const special = ["/README.md", "/LICENSE", "docs/README.md", "current/README.md", "current/Dockerfile", "vendor/shared-protos", "vendor/shared-protos/README.md", ".cortex/scorecards", "/docs/adr/0001-monorepo.md", "/bitbucket-pipelines.yml"];
  const scoped = [
    (s) => `${s.dir}/**/*.test.ts`,
    (s) => `${s.dir}/src/**/*.{ts,js}`,
    (s) => `${s.dir}/docs/*.md`,
    (s) => `${s.dir}/*.md`,
    (s) => `${s.dir}/**/*Test.java`,
    (s) => `${s.dir}/**/*_test.go`,
    (s) => `${s.dir}/**/fixtures/**`,
    (s) => `${s.dir}/**/assets/*.png`,
  ];
  const wide = [
    () => "**/Dockerfile",
    () => "**/*.proto",
    () => "**/openapi.{yaml,yml}",
    () => "**/CODEOWNERS",
    () => "docs/**/*.md",
    () => "**/fixtures/**",
    (d) => `services/${d}/*/Dockerfile`,
    (d) => `services/${d}/**/package.json`,
    (d) => `services/${d}/**/*.test.ts`,
    (d) => `services/${d}/*/SECURITY.md`,
    (d) => `services/${d}/**/go.mod`,
    (d) => `services/${d}/**/*_test.go`,
  ];
  const kinds = [
    [0.45, () => {
      const s = svc();
      return r.pick([`${s.dir}/README.md`, `${s.dir}/Dockerfile`, s.manifest, `${s.dir}/openapi.yaml`, ...s.sources, ...s.tests, ...s.docs]);
    }],
    [0.1, () => {
      const s = svc();
      return r.pick([`${s.dir}/SECURITY.md`, `${s.dir}/readme.md`, `${s.dir}/dockerfile`, `${s.dir}/.nvmrc`, `${s.dir}/catalog-info.yaml`]);
    }],
    [0.2, () => {
      const s = svc();
      return r.pick([`${s.dir}/src`, `${s.dir}/docs`, `${s.dir}/deploy`, `${s.dir}/${LANG_SRC[s.lang]}`, `services/${s.domain}`]);
    }],
    [0.1, () => r.pick(scoped)(svc())],
    [0.1, () => r.pick(wide)(r.pick(domains))],
    [0.05, () => r.pick(special)],
  ];
  // Fill each kind to its share; distinct expressions only.
  for (const [share, make] of kinds) {
    const want = out.size + Math.round(share * count);
    for (let tries = 0; out.size < Math.min(want, count) && tries < count * 50; tries++) out.add(`git.fileExists(${q(make())})`);
  }
  for (let tries = 0; out.size < count && tries < count * 50; tries++) out.add(`git.fileExists(${q(kinds[0][1]())})`);
  return [...out];
}

const LANG_SRC = { ts: "src", java: "src/main/java", go: "internal", py: "src" };

/** 40 content rules over 40 distinct files. */
export function contentRules(layout, seed) {
  const r = rng(seed);
  const picked = [];
  for (const s of layout.services) if (picked.length < 9 && r.next() < 0.5) picked.push(s);
  for (const s of layout.services) if (picked.length < 9 && !picked.includes(s)) picked.push(s);
  const rules = [
    `git.fileContents("/README.md").matchesIn("## Getting started")`,
    `jq(git.fileContents("/package.json"), ".private") == true`,
    `jq(git.fileContents("/package.json"), ".engines.node | startswith(\\">=20\\")") == true`,
    `git.fileContents("/CHANGELOG.md").matches("(?s)# Changelog.*")`,
    `git.fileContents("/Dockerfile").matchesIn("FROM [a-z]+:")`,
    `jq(git.fileContents("/bitbucket-pipelines.yml"), ".pipelines.default | length") > 0`,
    `git.fileContents("/.gitmodules").contains("shared-protos")`,
    `jq(git.fileContents("/cortex.yaml"), ".info[\\"x-cortex-tag\\"]") == "bench-monorepo"`,
    `git.fileContents("/LICENSE").length > 0`,
    `jq(git.fileContents("/data/catalog.json"), ".items | length") > 1000`,
    `git.fileContents("/docs/CHANGELOG-archive.md").matchesIn("## 0.1.0")`,
    `jq(git.fileContents("/data/fixtures/values.yaml"), ".fixtures | length") > 100`,
    `git.fileContents("/docs/README.md").contains("Getting started")`,
    `git.fileContents("/tools/bin/protoc") != null`,
    `git.fileContents("/assets/logo.png") != null`,
    `git.fileContents("/assets/design/mockup.psd") != null`,
    `git.fileContents("/docs/runbook.md").matchesIn("(?i)on-call")`,
    `git.fileContents("/docs/architecture.md").matches("(?s).*downstream.*")`,
  ];
  const perService = (s, i) => {
    const manifestRule =
      s.lang === "ts"
        ? `jq(git.fileContents(${q(`/${s.manifest}`)}), ".scripts.test") != null`
        : `git.fileContents(${q(`/${s.manifest}`)}).matchesIn(${q(s.lang === "java" ? "(?i)[a-z]" : "[a-z]+")})`;
    return [
      manifestRule,
      i % 2 === 0 ? `git.fileContents(${q(`/${s.dir}/Dockerfile`)}).matchesIn("USER [a-z]+")` : `jq(git.fileContents(${q(`/${s.dir}/openapi.yaml`)}), ".info.version") != null`,
      i % 3 === 0 ? `git.fileContents(${q(`/${s.dir}/README.md`)}).matches("(?s)(<!--|#).*")` : `git.fileContents(${q(`/${s.dir}/SECURITY.md`)}) != null`,
    ];
  };
  picked.forEach((s, i) => rules.push(...perService(s, i)));
  // Four more on sources, to reach 40 rules on 40 distinct files.
  const sources = layout.services.flatMap((s) => s.sources.slice(0, 1)).slice(0, 4);
  for (const p of sources) rules.push(`git.fileContents(${q(`/${p}`)}).matchesIn("rev [0-9]+")`);
  return rules.slice(0, 40);
}

export function catalogRules() {
  return [
    `oncall.numOfEscalations() >= 2`,
    `sonarqube.metric("coverage") > 80`,
    `git.numOfRequiredApprovals() >= 1`,
    `deploys(lookback = duration("P7D")).length > 0`,
    `jira.numOfIssues() < 10`,
    `snyk.issues().length == 0`,
    `sentry.numOfErrors() < 100`,
    `pagerduty.isOnCall()`,
    `git.lastCommit() != null`,
    `entity.lastUpdated() != null`,
  ];
}

/** The 150-rule set's file rules (exists + contents), for the peer's equivalent ruleset. */
export function fileRuleExpressions(layout) {
  return [...existsRules(layout, 100, 101), ...contentRules(layout, 102)];
}

/** Scorecard files to commit: path → YAML. */
export function scorecardFiles(layout) {
  return {
    ".cortex/scorecards/exists.yaml": card("bench-exists", "Files exist", existsRules(layout, 100, 101)),
    ".cortex/scorecards/contents.yaml": card("bench-contents", "File contents", contentRules(layout, 102)),
    ".cortex/scorecards/catalog.yaml": card("bench-catalog", "Catalog only", catalogRules()),
    ".cortex/bench-1000/exists-1000.yaml": card("bench-exists-1000", "Files exist (1,000)", existsRules(layout, 1000, 103)),
  };
}

/** SCORECARDS values of the two variants. */
export const VARIANTS = {
  "150": ".cortex/scorecards/*.yaml",
  "1000": ".cortex/bench-1000/exists-1000.yaml,.cortex/scorecards/contents.yaml,.cortex/scorecards/catalog.yaml",
};

/** Repository paths the content rules read (for the floor's cat-file list). */
export function contentPaths(layout) {
  const paths = new Set(["cortex.yaml", ...Object.keys(scorecardFiles(layout)).filter((p) => !p.includes("bench-1000"))]);
  for (const rule of contentRules(layout, 102)) {
    const m = /fileContents\("\/([^"]+)"\)/.exec(rule);
    if (m) paths.add(m[1]);
  }
  return [...paths];
}
