import { main } from "./main.js";

// The bundle's entry point. In Pipelines the step's working directory is the clone.
const cwd = process.env.BITBUCKET_CLONE_DIR && !process.env.CATALOG_SCORECARD_CWD ? process.cwd() : (process.env.CATALOG_SCORECARD_CWD ?? process.cwd());
main(process.argv.slice(2), process.env, cwd).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`catalog-scorecard-pipe: unexpected failure: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 3;
  },
);
