/**
 * Pure readers from raw strings to typed values. Each returns either the value or a problem
 * sentence that names the variable and what it accepts.
 */
export type Read<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: string };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const bad = (problem: string): Read<never> => ({ ok: false, problem });

/** A pipe list arrives as `NAME_COUNT` + `NAME_0…`, or as one comma/newline separated value. */
export function readList(env: Readonly<Record<string, string | undefined>>, name: string): Read<string[] | undefined> {
  const count = env[`${name}_COUNT`];
  if (count !== undefined) {
    const n = Number(count);
    if (!Number.isInteger(n) || n < 0) return bad(`${name}_COUNT must be a whole number, got "${count}".`);
    const items: string[] = [];
    for (let i = 0; i < n; i++) {
      const item = env[`${name}_${i}`];
      if (item === undefined) return bad(`${name}_COUNT is ${n} but ${name}_${i} is not set.`);
      items.push(...splitList(item));
    }
    return ok(items);
  }
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return ok(undefined);
  return ok(splitList(raw));
}

/** Splits on commas and newlines, but not on a comma inside a glob's braces (`{a,b}`). */
export function splitList(raw: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of raw) {
    if (ch === "{") depth++;
    else if (ch === "}") depth = Math.max(0, depth - 1);
    if (ch === "\n" || (ch === "," && depth === 0)) {
      items.push(current);
      current = "";
    } else current += ch;
  }
  items.push(current);
  return items.map((s) => s.trim()).filter((s) => s.length > 0);
}

/** Strict booleans: a typo such as `ture` must not silently mean false. */
export function readBoolean(name: string, raw: string | undefined, fallback: boolean): Read<boolean> {
  if (raw === undefined || raw.trim() === "") return ok(fallback);
  const v = raw.trim().toLowerCase();
  if (v === "true") return ok(true);
  if (v === "false") return ok(false);
  return bad(`${name} must be true or false, got "${raw}".`);
}

export function readEnum<T extends string>(name: string, raw: string | undefined, values: readonly T[], fallback: T): Read<T> {
  if (raw === undefined || raw.trim() === "") return ok(fallback);
  const v = raw.trim().toLowerCase();
  const found = values.find((x) => x === v);
  return found ? ok(found) : bad(`${name} must be one of ${values.join(", ")}, got "${raw}".`);
}

export function readPercentage(name: string, raw: string | undefined): Read<number | undefined> {
  if (raw === undefined || raw.trim() === "") return ok(undefined);
  const text = raw.trim();
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || n > 100) return bad(`${name} must be a number from 0 to 100 (e.g. 80 or 92.5), got "${raw}".`);
  return ok(n);
}

export function readUrl(name: string, raw: string | undefined, fallback?: string): Read<string | undefined> {
  const v = raw?.trim() || fallback;
  if (v === undefined) return ok(undefined);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return bad(`${name} must be an absolute http(s) URL, got "${v}".`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return bad(`${name} must use http or https, got "${v}".`);
  if (url.username || url.password) return bad(`${name} must not carry credentials; use the token variables instead.`);
  return ok(v.replace(/\/+$/, ""));
}
