import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Report } from "../src/report/model.js";
import { descriptorYaml, scorecardYaml } from "./helpers/fixtures.js";
import { startGitHttp, type GitHttpServer } from "./helpers/git-http.js";
import { cleanup, fingerprint, makeOrigin, pipelinesClone, tempDir } from "./helpers/repo.js";

/**
 * The real image, run the way Pipelines runs a pipe: the clone volume-mounted at the same path
 * as the working directory, host networking, host.docker.internal, the BITBUCKET_* variables and
 * the pipe storage dir. .ci/run builds the image and sets CSP_DOCKER_IMAGE; where Docker cannot
 * run, it sets CSP_DOCKER_UNAVAILABLE with the reason and these tests are skipped with it.
 */
const image = process.env.CSP_DOCKER_IMAGE;
const reason = process.env.CSP_DOCKER_UNAVAILABLE ?? "CSP_DOCKER_IMAGE is not set (run .ci/run, which builds the image)";
let gitServer: GitHttpServer | undefined;
afterAll(async () => {
  await gitServer?.close();
  cleanup();
});

function dockerRun(clone: string, out: string, env: Record<string, string>): { code: number; stdout: string; stderr: string; report: Report | undefined } {
  const args = ["run", "--rm", "--network", "host", "--add-host", "host.docker.internal:127.0.0.1", "-v", `${clone}:${clone}`, "-v", `${out}:${out}`, "-w", clone];
  for (const [k, v] of Object.entries({ ...env, OUTPUT_DIR: path.join(out, "reports"), JUNIT_FILE: path.join(out, "junit.xml"), BITBUCKET_PIPE_STORAGE_DIR: "/tmp/pipe-storage", BITBUCKET_CLONE_DIR: clone })) {
    args.push("-e", `${k}=${v}`);
  }
  const r = spawnSync("docker", [...args, image!], { encoding: "utf8", timeout: 120_000 });
  const file = path.join(out, "reports", "report.json");
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, report: existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Report) : undefined };
}

describe.skipIf(!image)(`the container image${image ? "" : ` (skipped: ${reason})`}`, () => {
  it("runs as a non-root user on a root-owned Pipelines clone, without touching it", async () => {
    const origin = makeOrigin(
      { "cortex.yaml": descriptorYaml(), ".cortex/scorecards/r.yaml": scorecardYaml([{ id: "has-readme", expression: 'git.fileExists("README.md")' }]) },
      { "README.md": "# hi\n" },
    );
    // Pipelines' origin is HTTP; a file:// origin owned by root would be refused by git itself.
    gitServer ??= await startGitHttp(path.dirname(origin.bare));
    const clone = pipelinesClone(`${gitServer.url}/${path.basename(origin.bare)}`, "feature/x");
    const out = tempDir("container-out");
    chmodSync(out, 0o777); // the image's user (uid 1000) writes the reports here
    const before = fingerprint(clone);
    const run = dockerRun(clone, out, {
      BITBUCKET_REPO_FULL_NAME: "acme/payments",
      BITBUCKET_COMMIT: origin.featureCommit,
      BITBUCKET_BRANCH: "feature/x",
      BITBUCKET_BUILD_NUMBER: "7",
      CODE_INSIGHTS: "false",
    });
    expect(run.stderr).not.toMatch(/dubious ownership/);
    expect(run.code).toBe(0);
    expect(run.report!.defaultBranch.commit).toBe(origin.defaultCommit);
    expect(run.report!.entities[0]!.scorecards[0]!.rules[0]).toMatchObject({ change: "fixed", commit: { outcome: "pass" } });
    expect(fingerprint(clone)).toBe(before);
  });

  it("prints its version and help as the entrypoint", () => {
    const r = spawnSync("docker", ["run", "--rm", image!, "--help"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("catalog-scorecard-pipe");
    const id = spawnSync("docker", ["run", "--rm", "--entrypoint", "id", image!], { encoding: "utf8" });
    expect(id.stdout).toMatch(/uid=1000\(node\)/);
    for (const f of ["/pipe.yml", "/README.md", "/LICENSE", "/pipe.cjs"]) {
      expect(spawnSync("docker", ["run", "--rm", "--entrypoint", "test", image!, "-f", f]).status).toBe(0);
    }
  });
});
