// Prints the README's Variables table from src/config/variables.ts (run: node scripts/variables-table.mjs).
// test/docs.test.ts fails when the README's table differs from this output.
import { build } from "esbuild";

const out = await build({ entryPoints: ["src/config/variables.ts"], bundle: true, write: false, format: "esm", platform: "node" });
const mod = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString("base64")}`);
const rows = mod.VARIABLES.map((v) => {
  const def = v.default ? ` Default: \`${v.default}\`.` : "";
  const secret = v.kind === "secret" ? " Secured variable." : "";
  return `| \`${v.name}\` | ${v.usage}${def}${secret} |`;
});
console.log(["| Variable | Usage |", "| --- | --- |", ...rows].join("\n"));
