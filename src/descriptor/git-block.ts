import type { DescriptorGit, GitProvider } from "./model.js";
import type { Finding } from "./finding.js";

export const PROVIDERS: readonly GitProvider[] = ["github", "gitlab", "bitbucket", "azure"];

export interface GitRead {
  readonly git: DescriptorGit | undefined;
  readonly providers: readonly GitProvider[];
  readonly findings: Finding[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * Reads `info.x-cortex-git`. Bitbucket wins when several providers are named (this pipe runs
 * on Bitbucket); `basePath` is read as `basepath` with a warning, because Cortex's docs use
 * both spellings but its API and real files use `basepath`.
 */
export function readGitBlock(info: Readonly<Record<string, unknown>>): GitRead {
  const block = info["x-cortex-git"];
  if (!isRecord(block)) return { git: undefined, providers: [], findings: [] };
  const providers = PROVIDERS.filter((p) => p in block);
  const provider = providers.includes("bitbucket") ? "bitbucket" : providers[0];
  if (!provider) return { git: undefined, providers, findings: [] };
  const findings: Finding[] = [];
  if (providers.length > 1) {
    findings.push({
      code: "SCHEMA",
      severity: "warning",
      message: `\`info.x-cortex-git\` names ${providers.length} providers (${providers.join(", ")}); the catalog uses only one, and this pipe reads ${provider}`,
      hint: "Keep only the provider that hosts this repository (bitbucket).",
      path: ["info", "x-cortex-git"],
      atKey: true,
    });
  }
  const fields = isRecord(block[provider]) ? block[provider] : {};
  const str = (k: string) => (typeof fields[k] === "string" ? fields[k] : undefined);
  const basepathKey = "basepath" in fields ? "basepath" : "basePath" in fields ? "basePath" : undefined;
  findings.push(...basepathSpellingFindings(fields, provider));
  const raw = basepathKey ? str(basepathKey) : undefined;
  return {
    providers,
    findings,
    git: {
      provider,
      repository: str("repository"),
      project: str("project"),
      basepathRaw: raw,
      basepath: raw === undefined ? undefined : normaliseBasepath(raw),
      basepathKey,
      alias: str("alias"),
    },
  };
}

function basepathSpellingFindings(fields: Readonly<Record<string, unknown>>, provider: GitProvider): Finding[] {
  if (!("basePath" in fields)) return [];
  const path = ["info", "x-cortex-git", provider, "basePath"];
  if ("basepath" in fields) {
    return [{ code: "DEPRECATED_KEY", severity: "warning", message: "both `basepath` and `basePath` are set; `basepath` is read and `basePath` is ignored", hint: "Delete the `basePath` line.", path, atKey: true }];
  }
  return [{ code: "DEPRECATED_KEY", severity: "warning", message: "`basePath` is read as `basepath`", hint: "Rename it to `basepath`: the catalog's API and CLI, and real descriptors, spell it in lower case.", path, atKey: true }];
}

/** "./services/api/" → "services/api"; "." and "/" alone → "" (the root). Invalid forms are kept for confirm to flag. */
export function normaliseBasepath(raw: string): string {
  let p = raw.trim().replace(/\\/g, "/");
  while (p.startsWith("./")) p = p.slice(2);
  p = p.replace(/\/{2,}/g, "/").replace(/\/+$/, "");
  if (p === "." || p === "") return "";
  return p.replace(/\/\.(?=\/|$)/g, "");
}
