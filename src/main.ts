import { loadConfig, parseArgs, type PipeConfig } from "./config/index.js";
import { helpText } from "./config/help.js";
import { ConfigError, PipeError, RepositoryError } from "./errors.js";
import { makeLogger } from "./log.js";
import { runPipe } from "./pipe.js";
import { writeReportFiles } from "./publishers/files.js";
import { publishAll } from "./publishers/publish.js";
import { finalize } from "./report/finalize.js";
import { redactDeep } from "./secret.js";
import { makeServices } from "./services.js";
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
    config = loadConfig(args.env, cwd);
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
    const services = makeServices(config, log);
    try {
      // Servers may echo credentials in error bodies that become diagnostics: every string that
      // leaves the process (reports, payloads, annotations) is scrubbed of every secret's forms.
      const evaluated = redactDeep(await runPipe(config, { git, log, now: () => new Date(), catalog: services.catalog }), config.secrets);
      const published =
        evaluated.exitCode === 3 && evaluated.entities.length === 0
          ? { results: [], diagnostics: [], payloads: {} }
          : await publishAll(evaluated, config, services, log, new Date());
      const report = redactDeep(finalize(evaluated, published.results, published.diagnostics), config.secrets);
      const files = await writeReportFiles(report, { cwd: config.cwd, outputDir: config.outputDir, junitFile: config.junitFile, payloads: redactDeep(published.payloads, config.secrets) });
      log.print(renderConsole(report));
      log.info(`wrote ${[files.report, files.summary, files.junit, ...files.payloads].filter(Boolean).join(", ")}`);
      return report.exitCode;
    } finally {
      await services.close();
    }
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
