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

/**
 * Every way a credential can be spelt in text a server echoes back: the value itself, and the
 * base64 of `user:token` that Basic auth sends (a 401 body may quote the header).
 */
export function secretForms(tokens: readonly Secret[], basic?: { readonly username: string; readonly token: Secret }): Secret[] {
  const forms = [...tokens];
  if (basic) forms.push(new Secret(Buffer.from(`${basic.username}:${basic.token.reveal()}`).toString("base64")));
  return forms;
}

/** Redacts every string inside a JSON-like value (a report, a payload) before it leaves the process. */
export function redactDeep<T>(value: T, secrets: readonly Secret[]): T {
  if (secrets.length === 0) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return redact(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object" && !(v instanceof Secret)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
