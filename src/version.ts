// Replaced at build time by esbuild's `define` from package.json; the fallback serves tests.
declare const __PIPE_VERSION__: string | undefined;
export const VERSION: string = typeof __PIPE_VERSION__ === "string" ? __PIPE_VERSION__ : "0.0.0-dev";
export const TOOL_NAME = "catalog-scorecard-pipe";
