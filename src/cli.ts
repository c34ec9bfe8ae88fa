import { main } from "./main.js";

// The bundle's entry point. In Pipelines the step's (and the pipe container's) working
// directory is the clone; runPipe falls back to BITBUCKET_CLONE_DIR when it is not.
main(process.argv.slice(2), process.env, process.cwd()).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`catalog-scorecard-pipe: unexpected failure: ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 3;
  },
);
