/**
 * Catalog (Cortex) stand-in: entity details, custom data, descriptor dry-run and scorecard
 * descriptors under `/api/v1/…`. Field names come from the Cortex swagger files
 * (test/fixtures/openapi/cortex*.schemas.json); endpoints and auth from ../shared/FACTS.md,
 * "The catalog". [I] marks a behaviour inferred rather than documented.
 */
import { createHash } from "node:crypto";
import { isMap, LineCounter, parseDocument } from "yaml";
import { type Credential, identify } from "./auth.js";
import { type Incoming, json, matchPath, type Reply, type StandIn, type StandInOptions, startStandIn } from "./kit.js";
import { cachedSchemaSet, copySchemas, type FieldError, fieldErrors, loadFixture, prop, SchemaSet } from "./schemas.js";

/** `GitDetails` of the swagger. */
export interface GitDetails {
  readonly provider: string;
  readonly repository: string;
  readonly repositoryUrl: string;
  readonly alias?: string;
  readonly basepath?: string;
}

export interface CatalogEntity {
  readonly tag: string;
  /** 18-character id; derived from the tag when absent. Entities are found by tag or id. */
  readonly id?: string;
  readonly name?: string;
  readonly type?: string;
  readonly description?: string;
  readonly groups?: readonly string[];
  /** `.git` of the entity: absent → no `git` key, `null` → `"git": null`. */
  readonly git?: GitDetails | null;
  /** Keys the descriptor defines (source YAML): posting one needs `?force=true`. [I] */
  readonly yamlCustomData?: Readonly<Record<string, unknown>>;
}

/** `ViolationDTO` of the swagger (`paths` is required there; it defaults to `[]`). */
export interface Violation {
  readonly title: string;
  readonly description: string;
  readonly pointer: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly violationType: "MUST" | "SHOULD" | "MAY" | "HINT";
  readonly paths?: readonly string[];
  readonly ruleLink?: string;
}

export interface DryRunVerdict {
  readonly violations: readonly Violation[];
  /** Default: no MUST violation. */
  readonly ok?: boolean;
  /** Default 200; the swagger answers 400 "Invalid YAML (major errors …)" with the same body. */
  readonly status?: number;
}

export type DescriptorValidator = (yaml: string) => DryRunVerdict;

export interface CatalogOptions extends StandInOptions {
  /** API keys (Bearer). */
  readonly credentials: readonly Credential[];
  readonly entities?: readonly CatalogEntity[];
  /** Scorecard tag → YAML served by `GET /api/v1/scorecards/{tag}/descriptor`. */
  readonly scorecards?: Readonly<Record<string, string>>;
  /** Decides `POST /api/v1/open-api?dryRun=true`; default `defaultDescriptorValidator`. */
  readonly validateDescriptor?: DescriptorValidator;
  /**
   * How the scorecard descriptor comes back. [I] The swagger declares `application/json` with a
   * string schema (a JSON-quoted YAML document); FACTS says "→ scorecard YAML". Default "yaml".
   */
  readonly scorecardDescriptorFormat?: "yaml" | "json-string";
}

export interface CatalogServer extends StandIn {
  readonly state: CatalogState;
}

/** `CustomData` of the swagger. */
export interface CustomData {
  readonly id: number;
  readonly key: string;
  readonly value: unknown;
  readonly description?: string;
  readonly source: "YAML" | "API" | "INTEGRATION";
  readonly dateUpdated: string;
}

export class CatalogState {
  /** Entity tag → key → latest value. */
  readonly customData = new Map<string, Map<string, CustomData>>();
  /** Raw YAML of every non-dry-run `POST /api/v1/open-api` (the pipe must never send one). */
  readonly entityWrites: string[] = [];

  value(tag: string, key: string): unknown {
    return this.customData.get(tag)?.get(key)?.value;
  }

  /** Values by tag and key, without ids and dates. */
  snapshot(): Record<string, Record<string, unknown>> {
    return Object.fromEntries([...this.customData].map(([tag, m]) => [tag, Object.fromEntries([...m].map(([k, d]) => [k, d.value]))]));
  }
}

/** Also exported as `start`: `import * as catalog from "./servers/catalog.js"; await catalog.start(…)`. */
export { startCatalog as start };

export async function startCatalog(options: CatalogOptions): Promise<CatalogServer> {
  const state = new CatalogState();
  let nextId = 1;
  const now = (): string => new Date().toISOString();
  for (const e of options.entities ?? []) {
    const data = new Map<string, CustomData>();
    for (const [key, value] of Object.entries(e.yamlCustomData ?? {})) data.set(key, { id: nextId++, key, value, source: "YAML", dateUpdated: now() });
    state.customData.set(e.tag, data);
  }
  const ctx: Ctx = { options, state, schemas: cachedSchemaSet("catalog", catalogSchemas), newId: () => nextId++ };
  const standIn = await startStandIn({ authenticate: (h) => identify(h, options.credentials), errorReply: catalogError, handle: (req) => route(req, ctx) }, options);
  return { ...standIn, state };
}

interface Ctx {
  readonly options: CatalogOptions;
  readonly state: CatalogState;
  readonly schemas: SchemaSet;
  readonly newId: () => number;
}

function route(req: Incoming, ctx: Ctx): Reply {
  if (!req.auth.principal) return catalogError(401, "Unauthorized: a valid API key is required (Authorization: Bearer <key>)");
  let m: Record<string, string> | undefined;
  if ((m = matchPath("/api/v1/catalog/{tag}/custom-data", req.path))) {
    const entity = findEntity(ctx, m["tag"] ?? "");
    if (!entity) return noEntity(m["tag"] ?? "");
    if (req.method === "POST") return postCustomData(req, ctx, entity);
    if (req.method === "GET") return listCustomData(req, ctx, entity);
    if (req.method === "DELETE") return deleteCustomData(req, ctx, entity);
    return catalogError(405, "Method not allowed");
  }
  if ((m = matchPath("/api/v1/catalog/{tag}", req.path))) {
    if (req.method !== "GET") return catalogError(405, "Method not allowed");
    const entity = findEntity(ctx, m["tag"] ?? "");
    return entity ? json(200, details(entity, ctx)) : noEntity(m["tag"] ?? "");
  }
  if (matchPath("/api/v1/open-api", req.path)) {
    if (req.method !== "POST") return catalogError(405, "Method not allowed");
    return openApi(req, ctx);
  }
  if ((m = matchPath("/api/v1/scorecards/{tag}/descriptor", req.path))) {
    if (req.method !== "GET") return catalogError(405, "Method not allowed");
    const yaml = ctx.options.scorecards?.[m["tag"] ?? ""];
    if (yaml === undefined) return catalogError(404, `Scorecard ${m["tag"]} not found`);
    if (ctx.options.scorecardDescriptorFormat === "json-string") return json(200, yaml);
    return { status: 200, headers: { "content-type": "application/yaml;charset=UTF-8" }, body: yaml };
  }
  return catalogError(404, `No endpoint ${req.method} ${req.path}`);
}

function postCustomData(req: Incoming, ctx: Ctx, entity: CatalogEntity): Reply {
  // A Spring controller bound to application/json answers 415 to anything else. [I]
  if (!mediaType(req).startsWith("application/json")) return catalogError(415, `Content-Type '${req.headers["content-type"] ?? ""}' is not supported`);
  let body: unknown;
  try {
    body = JSON.parse(req.rawBody) as unknown;
  } catch {
    return catalogError(400, "Request body is not valid JSON");
  }
  const validate = ctx.schemas.validator("DataCreateRequest");
  if (!validate(body)) return catalogError(400, describe(fieldErrors(validate.errors)));
  const { key, value, description } = body as { key: string; value: unknown; description?: string };
  const data = ctx.state.customData.get(entity.tag) ?? new Map<string, CustomData>();
  ctx.state.customData.set(entity.tag, data);
  if (data.get(key)?.source === "YAML" && req.query.get("force") !== "true") {
    return catalogError(409, `Key ${key} is defined in the entity descriptor; pass force=true to override it`);
  }
  const stored: CustomData = { id: ctx.newId(), key, value, ...(description === undefined ? {} : { description }), source: "API", dateUpdated: new Date().toISOString() };
  data.set(key, stored);
  return json(200, stored);
}

function listCustomData(req: Incoming, ctx: Ctx, entity: CatalogEntity): Reply {
  // Paged from 0; "an empty array is returned once you reach the end" (swagger).
  const pageSize = Math.max(Number(req.query.get("pageSize") ?? 250) || 250, 1);
  const page = Math.max(Number(req.query.get("page") ?? 0) || 0, 0);
  const all = [...(ctx.state.customData.get(entity.tag)?.values() ?? [])];
  return json(200, all.slice(page * pageSize, (page + 1) * pageSize));
}

function deleteCustomData(req: Incoming, ctx: Ctx, entity: CatalogEntity): Reply {
  const key = req.query.get("key");
  if (!key) return catalogError(400, "Query parameter key is required");
  ctx.state.customData.get(entity.tag)?.delete(key);
  return { status: 200 };
}

function openApi(req: Incoming, ctx: Ctx): Reply {
  if (mediaType(req) !== "application/openapi") return catalogError(415, `Content-Type '${req.headers["content-type"] ?? ""}' is not supported; use application/openapi;charset=UTF-8`);
  if (req.query.get("dryRun") !== "true") {
    ctx.state.entityWrites.push(req.rawBody);
    return json(200, { ok: true, violations: [] });
  }
  const verdict = (ctx.options.validateDescriptor ?? defaultDescriptorValidator)(req.rawBody);
  const ok = verdict.ok ?? !verdict.violations.some((v) => v.violationType === "MUST");
  return json(verdict.status ?? 200, { ok, violations: verdict.violations.map((v) => ({ paths: [], ...v })) });
}

/**
 * Default dry-run: YAML that does not parse, or has no `info.x-cortex-tag`, is a MUST violation
 * answered with 400 ("major errors", swagger); anything else is ok.
 */
export function defaultDescriptorValidator(yaml: string): DryRunVerdict {
  const lines = new LineCounter();
  const doc = parseDocument(yaml, { lineCounter: lines, prettyErrors: false });
  const firstError = doc.errors[0];
  if (firstError) {
    const line = lines.linePos(firstError.pos[0]).line;
    return { status: 400, violations: [{ title: "Invalid YAML", description: firstError.message, pointer: "", startLine: line, endLine: line, violationType: "MUST" }] };
  }
  const info = doc.get("info", true);
  const tag = isMap(info) ? info.get("x-cortex-tag") : undefined;
  if (typeof tag === "string" && tag.trim() !== "") return { violations: [] };
  const [start, end] = isMap(info) && info.range ? info.range : [0, 0];
  return {
    status: 400,
    violations: [
      {
        title: "x-cortex-tag is required",
        description: "info.x-cortex-tag must name the entity",
        pointer: "/info",
        startLine: lines.linePos(start).line,
        endLine: lines.linePos(Math.max(start, end - 1)).line,
        violationType: "MUST",
        paths: ["info", "x-cortex-tag"],
      },
    ],
  };
}

/** `DetailsResponse` with every field the swagger requires. */
function details(e: CatalogEntity, ctx: Ctx): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: entityId(e),
    tag: e.tag,
    name: e.name ?? e.tag,
    type: e.type ?? "service",
    groups: [...(e.groups ?? [])],
    hierarchy: { children: [], parents: [] },
    isArchived: false,
    lastUpdated: new Date().toISOString(),
    links: [],
    metadata: [...(ctx.state.customData.get(e.tag)?.values() ?? [])].map((d) => ({ key: d.key, value: d.value })),
    ownership: { emails: [], groups: [], slackChannels: [] },
    slackChannels: [],
  };
  if (e.description !== undefined) out["description"] = e.description;
  if (e.git !== undefined) out["git"] = e.git;
  return out;
}

function findEntity(ctx: Ctx, tagOrId: string): CatalogEntity | undefined {
  return ctx.options.entities?.find((e) => e.tag === tagOrId || entityId(e) === tagOrId);
}

function entityId(e: CatalogEntity): string {
  return e.id ?? `en${createHash("sha256").update(e.tag).digest("hex").slice(0, 16)}`;
}

function mediaType(req: Incoming): string {
  return (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

function describe(errors: readonly FieldError[]): string {
  return errors.map((e) => (e.field ? `${e.field} ${e.message}` : e.message)).join("; ") || "Invalid custom data request";
}

function noEntity(tag: string): Reply {
  return catalogError(404, `Entity ${tag} not found`);
}

const ERROR_TYPES: Readonly<Record<number, string>> = { 400: "BAD_REQUEST", 401: "FORBIDDEN", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT", 415: "BAD_REQUEST", 429: "UNCATEGORIZED" };

/**
 * `ErrorResponse` of the swagger: `{type, message, httpStatus}`. The `type` enum has no
 * "unauthorized"; 401 uses FORBIDDEN. [I]
 */
export function catalogError(status: number, message: string): Reply {
  return json(status, { type: ERROR_TYPES[status] ?? "UNHANDLED_EXCEPTION", message, httpStatus: status });
}

/**
 * The request schema, patched: `DataCreateRequest.value` points at `CustomDataType`, a Java
 * wrapper rendered as `{type: object, properties: {value}}`, while its own description says
 * "can be any valid JSON type": any JSON but null here ([I] null), key non-empty [I].
 */
function catalogSchemas(): SchemaSet {
  const s = copySchemas(loadFixture("cortex-2025-10-27.schemas.json"));
  const request = s["DataCreateRequest"];
  const value = prop(request, "value");
  for (const keyword of Object.keys(value)) delete value[keyword];
  value["not"] = { type: "null" };
  Object.assign(prop(request, "key"), { minLength: 1 });
  return new SchemaSet("cortex-request", s);
}
