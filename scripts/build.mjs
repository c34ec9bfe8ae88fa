// Bundles the pipe into one CommonJS file that runs with no node_modules beside it.
// CommonJS because an ESM bundle of undici crashes on its dynamic `require`.
import { build } from "esbuild";
import { readFileSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
await build({
  entryPoints: ["src/cli.ts"],
  outfile: "dist/pipe.cjs",
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: "linked",
  legalComments: "linked",
  define: { __PIPE_VERSION__: JSON.stringify(pkg.version) },
  banner: { js: "#!/usr/bin/env node" },
  logLevel: "warning",
});
