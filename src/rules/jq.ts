import { randomUUID } from "node:crypto";
import { Worker } from "node:worker_threads";
import { parse as parseYaml } from "yaml";
import { EvalError, fromJson, isUnknown, toJson, type Value } from "./values.js";

/**
 * `jq(value, filter)` with real jq semantics: jq 1.7 compiled to WebAssembly (jq-wasm), not a
 * home-made subset.
 *
 * jq runs synchronously inside WebAssembly, so a user's filter can hold the process for ever
 * (`def f: f; f`, `last(range(1e12))`, a backtracking regex in `test()` that stays just under
 * Oniguruma's retry limit at every start position). It therefore runs in a worker thread that is
 * terminated when a call exceeds `JQ_TIMEOUT_MS`; the next call starts a fresh worker. `vm`'s
 * timeout is no substitute: jq-wasm's entry point is asynchronous, and a WebAssembly instance
 * interrupted mid-call is left in an undefined state.
 *
 * The worker's code is built from the jq-wasm factory's own source (`Function#toString`), so it
 * works from the single-file bundle as well as from source, with no file beside the bundle.
 * One change is made to that source: jq-wasm feeds stdin with `Uint8Array#slice(1)` per byte,
 * which is quadratic (400 kB took 15 s); `subarray(1)` is the same without the copy.
 *
 * jq-wasm returns stdout and drops stderr whenever stdout is non-empty, which would hide an
 * error raised after a first result; the filter is wrapped in `try … catch` with a per-process
 * marker so such an error is still an error.
 */
export interface JqRunner {
  run(input: Value, filter: string): Promise<Value>;
  /** Stops the worker; the runner starts a new one if used again. */
  close(): Promise<void>;
}

export const JQ_TIMEOUT_MS = 2_000;
/** Starting the worker compiles ~1.3 MB of JavaScript and the WebAssembly module. */
export const JQ_START_TIMEOUT_MS = 20_000;

interface Request {
  readonly data: string;
  readonly filter: string;
}

type Reply = { readonly ready: true } | { readonly out: string } | { readonly error: string; readonly trap: boolean };

let workerSource: string | undefined;
async function source(): Promise<string> {
  if (workerSource) return workerSource;
  // Evaluated on first use. (In the bundle its 1.3 MB are still read and pre-parsed at start-up:
  // 10–15 ms of `--help`, measured against a build without it; not worth a second file.)
  const { default: jqFactory } = await import("jq-wasm/dist/build/jq.js");
  const factory = jqFactory.toString().replace("stdinBuffer.slice(1)", "stdinBuffer.subarray(1)");
  workerSource = `"use strict";
const { parentPort } = require("node:worker_threads");
// Free names the factory's source may refer to: its own module's \`_scriptName\`, and the
// \`__require\` helper a bundler substitutes for \`require\` in some output formats.
var _scriptName = undefined;
var __require = require;
const factory = (${factory});
factory().then((jq) => {
  parentPort.on("message", (m) => {
    jq.raw(m.data, m.filter, ["-c"]).then(
      (out) => parentPort.postMessage({ out }),
      (e) => parentPort.postMessage({ error: String((e && e.message) || e), trap: e instanceof WebAssembly.RuntimeError }),
    );
  });
  parentPort.postMessage({ ready: true });
});`;
  return workerSource;
}

/** A runner with its own worker, started on first use. */
export function makeJqRunner(timeoutMs = JQ_TIMEOUT_MS): JqRunner {
  const marker = `__csp_jq_error_${randomUUID().replace(/-/g, "")}`;
  let worker: Worker | undefined;
  let ready: Promise<void> | undefined;
  let chain: Promise<unknown> = Promise.resolve();

  let stops = 0;
  const stop = async () => {
    stops++;
    const w = worker;
    worker = undefined;
    ready = undefined;
    if (w) await w.terminate();
  };

  const start = async (): Promise<void> => {
    const generation = stops;
    const code = await source();
    // Stopped (closed) while the source was being prepared: start nothing.
    if (generation !== stops) throw new Error("jq was stopped");
    const w = new Worker(code, { eval: true });
    // A pending jq call keeps its own timer; an idle worker must not keep the process alive.
    w.unref();
    worker = w;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`jq did not start within ${JQ_START_TIMEOUT_MS} ms`)), JQ_START_TIMEOUT_MS);
      w.once("message", (m: Reply) => {
        clearTimeout(timer);
        if ("ready" in m) resolve();
        else reject(new Error("jq worker sent a reply before it was ready"));
      });
      w.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  };

  /** One call at a time, so each call's time bound measures that call alone. */
  const call = async (req: Request, shown: string): Promise<string> => {
    // `ready` is set from the moment a worker is being started until it stops.
    if (!ready) ready = start();
    try {
      await ready;
    } catch (e) {
      await stop();
      throw new EvalError(`jq could not start: ${(e as Error).message}`);
    }
    const w = worker!;
    return new Promise<string>((resolve, reject) => {
      const cleanup = () => {
        clearTimeout(timer);
        w.off("message", onMessage);
        w.off("error", onError);
        w.off("exit", onExit);
      };
      const onMessage = (m: Reply) => {
        cleanup();
        if ("out" in m) resolve(m.out);
        else if ("error" in m) {
          // A WebAssembly trap leaves jq's memory in an unknown state: the next call gets a new worker.
          if (m.trap) void stop();
          reject(new JqFailure(m.error));
        }
      };
      const onError = (e: Error) => {
        cleanup();
        void stop();
        reject(new EvalError(`jq failed: ${e.message}`));
      };
      const onExit = () => {
        cleanup();
        worker = undefined;
        ready = undefined;
        reject(new EvalError("jq stopped unexpectedly"));
      };
      const timer = setTimeout(() => {
        cleanup();
        void stop();
        reject(new EvalError(`jq filter ${JSON.stringify(shown)} took longer than ${timeoutMs} ms and was stopped`));
      }, timeoutMs);
      w.on("message", onMessage);
      w.on("error", onError);
      w.on("exit", onExit);
      w.postMessage({ data: req.data, filter: req.filter });
    });
  };

  // A rule runs on both trees, and most files are the same in both (the same string, see
  // files.ts): the text is parsed once, and the same filter on the same data runs once.
  const dataOf = new Map<string, string>();
  const results = new Map<string, Map<string, Promise<Value>>>();

  const runOnce = async (data: string, filter: string): Promise<Value> => {
    // A newline before ")" so a trailing `# comment` in the filter cannot swallow it.
    const wrapped = `try (\n${filter}\n) catch {"${marker}": .}`;
    const next = chain.then(() => call({ data, filter: wrapped }, filter));
    chain = next.catch(() => undefined);
    let out: string;
    try {
      out = await next;
    } catch (e) {
      if (e instanceof JqFailure) throw new EvalError(`jq filter ${JSON.stringify(filter)} failed: ${cleanMessage(e.message)}`);
      throw e;
    }
    return parseOutput(out, filter, marker);
  };

  return {
    async run(input, filter) {
      if (isUnknown(input)) return input;
      let data = typeof input === "string" ? dataOf.get(input) : undefined;
      if (data === undefined) {
        data = JSON.stringify(jsonInput(input) ?? null);
        if (typeof input === "string") dataOf.set(input, data);
      }
      let byData = results.get(filter);
      if (!byData) results.set(filter, (byData = new Map()));
      let result = byData.get(data);
      if (!result) {
        result = runOnce(data, filter);
        byData.set(data, result);
      }
      return result;
    },
    async close() {
      dataOf.clear();
      results.clear();
      await stop();
    },
  };
}

class JqFailure extends Error {}

/**
 * Text (a file's contents, custom data) is parsed as JSON when it is JSON, else as YAML when it
 * is a YAML mapping or list (the catalog's docs use jq on YAML files); other text stays a string.
 */
function jsonInput(input: Value): unknown {
  const data = toJson(input);
  if (typeof data !== "string") return data;
  try {
    return JSON.parse(data);
  } catch {
    // not JSON
  }
  try {
    const y: unknown = parseYaml(data, { maxAliasCount: 100, prettyErrors: false });
    if (y !== null && typeof y === "object") return y;
  } catch {
    // not YAML either
  }
  return data;
}

/** jq's compile errors quote the wrapped program; keep the first line, without our wrapper's position. */
function cleanMessage(msg: string): string {
  const first = msg.replace(/^Failed to execute raw query: /, "").trim().split("\n")[0] ?? "";
  return first.replace(/ \(Unix shell quoting issues\?\)/, "").replace(/ at <top-level>, line \d+:?$/, "").replace(/^jq: error(?: \(at [^)]*\))?: /, "");
}

function parseOutput(out: string, filter: string, marker: string): Value {
  const results: Value[] = [];
  for (const line of out.split("\n")) {
    if (line.trim() === "") continue;
    const parsed: unknown = JSON.parse(line);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed) && marker in parsed) {
      const why = (parsed as Record<string, unknown>)[marker];
      throw new EvalError(`jq filter ${JSON.stringify(filter)} failed: ${typeof why === "string" ? why : JSON.stringify(why)}`);
    }
    results.push(fromJson(parsed));
  }
  if (results.length === 0) return null;
  return results.length === 1 ? (results[0] ?? null) : results;
}
