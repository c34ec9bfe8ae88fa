import { inspect } from "node:util";

/**
 * A credential. Its value is reachable only through `reveal()`, which only the HTTP layer calls
 * when it builds a header; every other way of turning it into text yields a mask, so a secret
 * that slips into a log line, an error or JSON.stringify prints as `***`.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return "***";
  }

  toJSON(): string {
    return "***";
  }

  [inspect.custom](): string {
    return "Secret(***)";
  }
}

/** Removes known secret values from free text (e.g. an error body that echoes a header). */
export function redact(text: string, secrets: readonly (Secret | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    const value = secret?.reveal();
    if (value && value.length >= 4) out = out.split(value).join("***");
  }
  return out;
}
