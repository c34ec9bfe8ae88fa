import { createConsola } from "consola";
import { redact, type Secret } from "./secret.js";

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
  /** Plain lines (the summary), without a level badge. */
  print(text: string): void;
}

/**
 * consola on stderr for progress, stdout for the summary. Every line passes through `redact`
 * with the run's secrets, a second line of defence behind the `Secret` type.
 */
export function makeLogger(options: { debug: boolean; color: boolean; secrets: readonly Secret[] }): Logger {
  const consola = createConsola({
    level: options.debug ? 4 : 3,
    formatOptions: { colors: options.color, date: false, compact: true },
    stdout: process.stderr,
    stderr: process.stderr,
  });
  const clean = (m: string) => redact(m, options.secrets);
  return {
    info: (m) => consola.info(clean(m)),
    warn: (m) => consola.warn(clean(m)),
    error: (m) => consola.error(clean(m)),
    debug: (m) => consola.debug(clean(m)),
    print: (t) => process.stdout.write(`${clean(t)}\n`),
  };
}

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    debug: (m) => lines.push(`debug ${m}`),
    print: (t) => lines.push(t),
  };
}
