import { Ajv, type ValidateFunction } from "ajv";
import schema from "../../schemas/descriptor.schema.json" with { type: "json" };
import type { Diagnostic } from "../diagnostics.js";
import type { LoadedYaml } from "../yaml/load.js";
import { toDiagnostic, type Finding } from "./finding.js";
import { readGitBlock } from "./git-block.js";
import { infoLookalikes, keyFindings } from "./keys.js";
import type { Descriptor, Owner } from "./model.js";
import { explainSchemaErrors } from "./schema-errors.js";
import { tagProblems } from "./tag.js";

export { normaliseBasepath } from "./git-block.js";

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  // verbose: errors carry their parent schema, which lists the keys allowed next to an unknown one.
  compiled ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(schema);
  return compiled;
}

const KNOWN_INFO_KEYS = Object.keys(schema.definitions.info.properties);

export interface DescriptorResult {
  readonly descriptor: Descriptor | undefined;
  readonly diagnostics: Diagnostic[];
}

type Json = Record<string, unknown>;
const isRecord = (v: unknown): v is Json => !!v && typeof v === "object" && !Array.isArray(v);

/**
 * Stages, each collecting every problem: is it a descriptor at all → schema → keys → tag → git
 * block. Returns the descriptor whenever the catalog could read an entity from it (it has an
 * `info` mapping), so rules still run and every problem is reported in one go.
 */
export function validateDescriptor(yaml: LoadedYaml): DescriptorResult {
  const notOne = notADescriptor(yaml);
  if (notOne) return { descriptor: undefined, diagnostics: [toDiagnostic(yaml, notOne)] };
  const root = yaml.value as Json;
  const info = isRecord(root.info) ? root.info : undefined;
  const findings = [...schemaFindings(root), ...(info ? infoFindings(root, info) : [])];
  const git = info ? readGitBlock(info) : undefined;
  if (git) findings.push(...git.findings);
  const diagnostics = findings.map((f) => toDiagnostic(yaml, f));
  if (!info || !git) return { descriptor: undefined, diagnostics };
  return { descriptor: describe(yaml, info, git), diagnostics };
}

/** A file that shares the descriptor's name but is something else: a list, a scalar, another tool's config. */
function notADescriptor(yaml: LoadedYaml): Finding | undefined {
  const { value, file } = yaml;
  const hint = "A descriptor is a mapping with `openapi: 3.0.1` and an `info:` block holding `title` and `x-cortex-tag`. If this file belongs to another tool, point DESCRIPTOR at the real descriptor.";
  if (!isRecord(value)) {
    const what = Array.isArray(value) ? "a list" : value === null || value === undefined ? "empty" : `a single ${typeof value}`;
    return { code: "NOT_A_DESCRIPTOR", severity: "error", message: `${file} is ${what}, not a catalog descriptor`, hint, path: [] };
  }
  if ("info" in value || "openapi" in value || mentionsCortex(value, 3)) return undefined;
  const keys = Object.keys(value);
  const shown = keys.slice(0, 5).join(", ") + (keys.length > 5 ? ", …" : "");
  return {
    code: "NOT_A_DESCRIPTOR",
    severity: "error",
    message: `${file} is not a catalog descriptor: it has no \`info\` or \`openapi\` and no x-cortex-* key (top-level keys: ${shown || "none"}); it looks like another tool's file`,
    hint,
    path: [],
  };
}

/** Whether an `x-cortex-*` key appears within the first few levels (bounded: values may be huge or shared). */
function mentionsCortex(v: unknown, depth: number): boolean {
  if (depth < 0 || !v || typeof v !== "object") return false;
  const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
  return entries.some(([k, x]) => k.startsWith("x-cortex-") || mentionsCortex(x, depth - 1));
}

function schemaFindings(root: Json): Finding[] {
  const validate = validator();
  validate(root);
  const out: Finding[] = explainSchemaErrors(validate.errors ?? [], root).map((p) => ({
    code: p.kind === "unknown-key" ? "UNKNOWN_KEY" : "SCHEMA",
    severity: "error",
    message: p.message,
    hint: p.hint ?? "Fix the value as the message says.",
    path: p.path,
    atKey: p.atKey,
  }));
  if (!("openapi" in root)) {
    out.push({
      code: "SCHEMA",
      severity: "warning",
      message: "`openapi` is missing; the catalog reads descriptors as OpenAPI 3 documents",
      hint: "Add `openapi: 3.0.1` as the first line.",
      path: [],
    });
  }
  // A second "info"-like block is worth a word only when the real one exists: when it does not,
  // the "`info` is required" error above already points at the look-alike.
  if ("info" in root) {
    for (const key of infoLookalikes(root)) {
      out.push({
        code: "UNKNOWN_KEY",
        severity: "warning",
        message: `top-level key "${key}" looks like a misspelt "info"; the catalog reads only \`info\` and ignores this block`,
        hint: `Merge its keys into \`info\` and delete "${key}".`,
        path: [key],
        atKey: true,
      });
    }
  }
  return out;
}

function infoFindings(root: Json, info: Json): Finding[] {
  const out = keyFindings(root, info, KNOWN_INFO_KEYS);
  for (const t of tagProblems("x-cortex-tag" in info ? info["x-cortex-tag"] : undefined)) {
    out.push({ code: "TAG_INVALID", severity: t.severity, message: t.message, hint: t.hint, path: ["info", "x-cortex-tag"] });
  }
  return out;
}

function describe(yaml: LoadedYaml, info: Json, git: ReturnType<typeof readGitBlock>): Descriptor {
  const str = (k: string) => (typeof info[k] === "string" ? info[k] : undefined);
  const owners = Array.isArray(info["x-cortex-owners"]) ? info["x-cortex-owners"].filter((o): o is Owner => isRecord(o) && typeof o.type === "string") : [];
  const custom = info["x-cortex-custom-metadata"];
  const tag = str("x-cortex-tag");
  return {
    file: yaml.file,
    yaml,
    tag: tag === "" ? undefined : tag,
    title: str("title"),
    description: str("description"),
    type: str("x-cortex-type")?.trim() || "service",
    owners,
    groups: [...asStrings(info["x-cortex-groups"]), ...asStrings(info["x-cortex-service-groups"])],
    customMetadata: isRecord(custom) ? custom : {},
    git: git.git,
    gitProviders: git.providers,
    info,
  };
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}
