import { loadConfig, parseArgs, type PipeConfig } from "./config/index.js";
import { helpText } from "./config/help.js";
import { ConfigError, PipeError, RepositoryError } from "./errors.js";
import { makeLogger } from "./log.js";
import { redactDeep } from "./secret.js";
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
    config = loadConfig(args.env, cwd, args.problems);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`catalog-scorecard-pipe: configuration error\n${e.problems.map((p) => `  CONFIG ${p}`).join("\n")}\n  fix: ${e.hint}\n`);
      return 2;
    }
    throw e;
  }

  // Loaded only for a real run: `--help`, `--version` and configuration errors stay fast.
  const [{ runPipe }, { outputFiles, writeReportFiles }, { outputPathProblems }, { publishAll }, { finalize }, { makeServices }, { renderConsole }, { Git }] = await Promise.all([
    import("./pipe.js"),
    import("./publishers/files.js"),
    import("./publishers/output-paths.js"),
    import("./publishers/publish.js"),
    import("./report/finalize.js"),
    import("./services.js"),
    import("./report/console.js"),
    import("./sources/git.js"),
  ]);
  const log = makeLogger({ debug: config.debug, color: config.color, secrets: config.secrets });
  log.info(`catalog-scorecard-pipe ${VERSION} in ${config.cwd}`);
  try {
    const git = new Git(config.debug ? (m) => log.debug(m) : undefined);
    const unsafe = await outputPathProblems(config.cwd, outputFiles(config), git);
    if (unsafe.length) throw new ConfigError(unsafe);
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
      log.print(renderConsole(report));
      try {
        const files = await writeReportFiles(report, { cwd: config.cwd, outputDir: config.outputDir, junitFile: config.junitFile, payloads: redactDeep(published.payloads, config.secrets) });
        log.info(`wrote ${[files.report, files.summary, files.junit, ...files.payloads].filter(Boolean).join(", ")}`);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (!err.code) throw e;
        log.error(`could not write the report files: ${err.code} ${err.path ?? ""}\n  fix: point OUTPUT_DIR and JUNIT_FILE at a writable directory (the image runs as uid 1000).`);
        // The gate's verdict stands; a missing report is an environment failure on its own.
        return report.exitCode === 1 ? 1 : 3;
      }
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
