import * as jqWasm from "jq-wasm";
import { EvalError, fromJson, toJson, type Value } from "./values.js";

/**
 * `jq(value, filter)` with real jq semantics: jq 1.7 compiled to WebAssembly (jq-wasm), not a
 * home-made subset. Loaded lazily, so runs whose rules never call jq do not pay its start-up.
 */
export interface JqRunner {
  run(input: Value, filter: string): Promise<Value>;
}

export function makeJqRunner(): JqRunner {
  return {
    async run(input, filter) {
      // Text (e.g. a file's contents) is parsed as JSON when it is JSON, as the catalog does.
      let data: unknown = toJson(input);
      if (typeof data === "string") {
        try {
          data = JSON.parse(data);
        } catch {
          // stays a JSON string
        }
      }
      let out: string;
      try {
        out = await jqWasm.raw(JSON.stringify(data ?? null), filter, ["-c"]);
      } catch (e) {
        const msg = (e as Error).message.replace(/^Failed to execute raw query: /, "").trim();
        throw new EvalError(`jq filter ${JSON.stringify(filter)} failed: ${msg}`);
      }
      const results = out
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => fromJson(JSON.parse(l)));
      if (results.length === 0) return null;
      return results.length === 1 ? (results[0] ?? null) : results;
    },
  };
}
