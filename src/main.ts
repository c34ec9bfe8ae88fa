import { loadConfig, parseArgs, type PipeConfig } from "./config/index.js";
import { helpText } from "./config/help.js";
import { ConfigError, PipeError, RepositoryError } from "./errors.js";
import { makeLogger } from "./log.js";
import { runPipe } from "./pipe.js";
import { writeReportFiles } from "./publishers/files.js";
import { renderConsole } from "./report/console.js";
import { Git } from "./sources/git.js";
import { VERSION } from "./version.js";

/**
 * Wires config → runPipe → outputs, and is the only place that decides the exit status:
 * 0 passed · 1 gate failed · 2 configuration/usage · 3 environment/service failure.
 */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  let config: PipeConfig;
  try {
    const args = parseArgs(argv, env);
    if (args.kind === "help") {
      process.stdout.write(`${helpText(VERSION)}\n`);
      return 0;
    }
    if (args.kind === "version") {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    const dir = env.BITBUCKET_CLONE_DIR && env.BITBUCKET_CLONE_DIR.trim() && !argv.length ? cwd : cwd;
    config = loadConfig(args.env, dir);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`catalog-scorecard-pipe: configuration error\n${e.problems.map((p) => `  CONFIG ${p}`).join("\n")}\n  fix: ${e.hint}\n`);
      return 2;
    }
    throw e;
  }

  const log = makeLogger({ debug: config.debug, color: config.color, secrets: config.secrets });
  log.info(`catalog-scorecard-pipe ${VERSION} in ${config.cwd}`);
  try {
    const git = new Git(config.debug ? (m) => log.debug(m) : undefined);
    const report = await runPipe(config, { git, log, now: () => new Date() });
    const files = await writeReportFiles(report, { cwd: config.cwd, outputDir: config.outputDir, junitFile: config.junitFile });
    log.print(renderConsole(report));
    log.info(`wrote ${files.report}, ${files.summary}${files.junit ? `, ${files.junit}` : ""}`);
    return report.exitCode;
  } catch (e) {
    if (e instanceof ConfigError) {
      log.error(`configuration error:\n${e.problems.map((p) => `  CONFIG ${p}`).join("\n")}`);
      return 2;
    }
    if (e instanceof RepositoryError) {
      log.error(`${e.message}${e.hint ? `\n  fix: ${e.hint}` : ""}`);
      return 2;
    }
    if (e instanceof PipeError) {
      log.error(`${e.message}${e.hint ? `\n  fix: ${e.hint}` : ""}`);
      return 3;
    }
    log.error(`unexpected failure: ${(e as Error).stack ?? String(e)}`);
    return 3;
  }
}
