import { Ajv, type ValidateFunction } from "ajv";
import schema from "../../schemas/descriptor.schema.json" with { type: "json" };
import { diagnostic, type Diagnostic, type Severity } from "../diagnostics.js";
import { closest } from "../text.js";
import { codeFrame } from "../yaml/frame.js";
import type { LoadedYaml } from "../yaml/load.js";
import { locate } from "../yaml/locate.js";
import type { Descriptor, DescriptorGit, GitProvider, Owner } from "./model.js";
import { explainSchemaErrors } from "./schema-errors.js";
import { tagProblems } from "./tag.js";

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(schema);
  return compiled;
}

const KNOWN_INFO_KEYS = Object.keys(schema.definitions.info.properties);
const PROVIDERS: readonly GitProvider[] = ["github", "gitlab", "bitbucket", "azure"];

export interface DescriptorResult {
  readonly descriptor: Descriptor | undefined;
  readonly diagnostics: Diagnostic[];
}

/**
 * Stages, each collecting every problem: is it a descriptor at all → schema → keys → tag.
 * Returns the descriptor whenever it is usable enough for rules to run on it.
 */
export function validateDescriptor(yaml: LoadedYaml): DescriptorResult {
  const { file, value } = yaml;
  const diagnostics: Diagnostic[] = [];
  const place = (parts: (string | number)[], keyOf = false) => {
    const p = locate(yaml.doc, yaml.lineCounter, parts, { keyOf });
    return { place: { file, line: p.line, column: p.column }, frame: codeFrame(yaml.text, p.line, p.column) };
  };
  const add = (code: Diagnostic["code"], severity: Severity, message: string, parts: (string | number)[], hint?: string, keyOf = false) =>
    diagnostics.push(diagnostic(code, severity, message, { hint, ...place(parts, keyOf) }));

  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const what = Array.isArray(value) ? "a list" : value === null ? "empty" : `a single ${typeof value}`;
    add("NOT_A_DESCRIPTOR", "error", `${file} is ${what}, not a catalog descriptor`, [], "A descriptor is a mapping with `openapi:` and an `info:` block holding `x-cortex-tag`.");
    return { descriptor: undefined, diagnostics };
  }
  const root = value as Record<string, unknown>;
  const looksLikeDescriptor = "info" in root || "openapi" in root || JSON.stringify(root).includes("x-cortex-");
  if (!looksLikeDescriptor) {
    const keys = Object.keys(root).slice(0, 5).join(", ");
    add(
      "NOT_A_DESCRIPTOR",
      "error",
      `${file} shares the descriptor's name but is not a catalog descriptor (top-level keys: ${keys || "none"})`,
      [],
      "Point DESCRIPTOR at the entity descriptor, or rename this file if it belongs to another tool.",
    );
    return { descriptor: undefined, diagnostics };
  }

  const validate = validator();
  validate(root);
  for (const p of explainSchemaErrors(validate.errors ?? [], root)) {
    add("SCHEMA", "error", p.message, p.path, p.hint, p.atKey);
  }

  const info = (root.info && typeof root.info === "object" && !Array.isArray(root.info) ? root.info : {}) as Record<string, unknown>;
  for (const key of Object.keys(info)) {
    if (key.startsWith("x-cortex-") && !KNOWN_INFO_KEYS.includes(key)) {
      const near = closest(key, KNOWN_INFO_KEYS.filter((k) => k.startsWith("x-cortex-")));
      add("UNKNOWN_KEY", "warning", `unknown catalog key "${key}" in info`, ["info", key], near ? `Did you mean "${near}"?` : "The catalog ignores keys it does not know.", true);
    }
  }
  for (const key of Object.keys(root)) {
    if (key !== "info" && key.toLowerCase().includes("info")) {
      add("UNKNOWN_KEY", "warning", `top-level key "${key}" looks like a misspelt "info"`, [key], 'Rename it to "info".', true);
    } else if (key.startsWith("x-cortex-")) {
      add("UNKNOWN_KEY", "warning", `"${key}" is at the top level; catalog keys belong under info`, [key], "Indent it under `info:`.", true);
    }
  }
  if ("x-cortex-service-groups" in info) {
    add("DEPRECATED_KEY", "warning", "`x-cortex-service-groups` is deprecated", ["info", "x-cortex-service-groups"], "Rename it to `x-cortex-groups`.", true);
  }
  for (const t of tagProblems("x-cortex-tag" in info ? info["x-cortex-tag"] : undefined)) {
    add("TAG_INVALID", t.severity, t.message, ["info", "x-cortex-tag"], t.hint);
  }

  const gitBlock = info["x-cortex-git"];
  const gitProviders = gitBlock && typeof gitBlock === "object" && !Array.isArray(gitBlock) ? Object.keys(gitBlock).filter((k) => PROVIDERS.includes(k as GitProvider)) : [];
  let git: DescriptorGit | undefined;
  const provider = gitProviders.includes("bitbucket") ? "bitbucket" : (gitProviders[0] as GitProvider | undefined);
  if (provider) {
    if (gitProviders.length > 1) {
      add("SCHEMA", "warning", `\`info.x-cortex-git\` names ${gitProviders.length} providers (${gitProviders.join(", ")}); the catalog uses one`, ["info", "x-cortex-git"], "Keep only the provider that hosts this repository.", true);
    }
    const block = ((gitBlock as Record<string, unknown>)[provider] ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof block[k] === "string" ? (block[k] as string) : undefined);
    const basepathKey = "basepath" in block ? "basepath" : "basePath" in block ? "basePath" : undefined;
    if (basepathKey === "basePath") {
      add("DEPRECATED_KEY", "warning", "`basePath` is read as `basepath`", ["info", "x-cortex-git", provider, "basePath"], "The catalog's API and CLI spell it `basepath`; rename it.", true);
    }
    const raw = basepathKey ? str(basepathKey) : undefined;
    git = {
      provider,
      repository: str("repository"),
      project: str("project"),
      basepathRaw: raw,
      basepath: raw === undefined ? undefined : normaliseBasepath(raw),
      basepathKey,
      alias: str("alias"),
    };
  }

  const owners: Owner[] = Array.isArray(info["x-cortex-owners"])
    ? (info["x-cortex-owners"] as unknown[]).filter((o): o is Owner => !!o && typeof o === "object" && typeof (o as Owner).type === "string")
    : [];
  const groups = [...asStrings(info["x-cortex-groups"]), ...asStrings(info["x-cortex-service-groups"])];
  const custom = info["x-cortex-custom-metadata"];
  const descriptor: Descriptor = {
    file,
    yaml,
    tag: typeof info["x-cortex-tag"] === "string" && info["x-cortex-tag"] !== "" ? (info["x-cortex-tag"] as string) : undefined,
    title: typeof info.title === "string" ? info.title : undefined,
    description: typeof info.description === "string" ? info.description : undefined,
    type: typeof info["x-cortex-type"] === "string" ? (info["x-cortex-type"] as string).trim() : "service",
    owners,
    groups,
    customMetadata: custom && typeof custom === "object" && !Array.isArray(custom) ? (custom as Record<string, unknown>) : {},
    git,
    gitProviders,
    info,
  };
  return { descriptor, diagnostics };
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** "./services/api/" → "services/api"; "." and "/" → "" (the root). Invalid forms are kept for confirm to flag. */
export function normaliseBasepath(raw: string): string {
  let p = raw.trim().replace(/\\/g, "/");
  while (p.startsWith("./")) p = p.slice(2);
  p = p.replace(/\/{2,}/g, "/").replace(/\/+$/, "");
  if (p === "." || p === "") return "";
  return p.replace(/\/\.(?=\/|$)/g, "");
}
