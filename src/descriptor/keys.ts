import { suggestKey } from "../text.js";
import type { Finding } from "./finding.js";

const CORTEX = "x-cortex-";

/** Keys renamed by the catalog; the old spelling still works there, so these are warnings. */
const DEPRECATED: Readonly<Record<string, string>> = {
  "x-cortex-service-groups": "x-cortex-groups",
};

/**
 * Keys the schema cannot judge because OpenAPI allows anything there: `x-cortex-*` keys the
 * catalog does not know (a typo is silently ignored by the catalog, so the data just vanishes),
 * catalog keys placed at the top level instead of under `info`, a second "info"-like block,
 * and deprecated spellings.
 */
export function keyFindings(root: Readonly<Record<string, unknown>>, info: Readonly<Record<string, unknown>>, knownInfoKeys: readonly string[]): Finding[] {
  const out: Finding[] = [];
  const known = knownInfoKeys.filter((k) => k.startsWith(CORTEX));
  for (const key of Object.keys(info)) {
    if (!key.startsWith(CORTEX) || knownInfoKeys.includes(key)) continue;
    const near = suggestKey(key, known);
    out.push({
      code: "UNKNOWN_KEY",
      severity: "warning",
      message: `unknown catalog key "${key}" in info (the catalog ignores it)${near ? `; did you mean "${near}"?` : ""}`,
      hint: near ? `Rename "${key}" to "${near}".` : "Check the spelling against the catalog's descriptor reference, or remove it.",
      path: ["info", key],
      atKey: true,
    });
  }
  for (const [old, now] of Object.entries(DEPRECATED)) {
    if (!(old in info)) continue;
    out.push({
      code: "DEPRECATED_KEY",
      severity: "warning",
      message: `\`${old}\` is deprecated; the catalog now reads \`${now}\``,
      hint: now in info ? `Move its entries into \`${now}\` and delete \`${old}\`.` : `Rename it to \`${now}\`.`,
      path: ["info", old],
      atKey: true,
    });
  }
  for (const key of Object.keys(root)) {
    if (key.startsWith(CORTEX)) {
      out.push({
        code: "UNKNOWN_KEY",
        severity: "warning",
        message: `"${key}" is at the top level, where the catalog does not look; catalog keys belong under info`,
        hint: `Indent "${key}" (and its block) under \`info:\`.`,
        path: [key],
        atKey: true,
      });
    }
  }
  return out;
}

/** Top-level keys that look like a misspelt `info` (`XXinfo`, `Info`), for when `info` is present too. */
export function infoLookalikes(root: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(root).filter((k) => k !== "info" && k.toLowerCase().includes("info"));
}

