import type { HttpClient, HttpResponse } from "../http/client.js";
import type { Secret } from "../secret.js";
import { explainFailure } from "../publishers/errors.js";

/** A catalog API call that failed, explained with its fix. */
export class CatalogError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

export interface DryRunViolation {
  readonly title: string;
  readonly description: string;
  readonly pointer: string | undefined;
  readonly startLine: number | undefined;
  readonly endLine: number | undefined;
  readonly violationType: string | undefined;
}

export interface CatalogGit {
  readonly provider: string | undefined;
  readonly repository: string | undefined;
  readonly alias: string | undefined;
  readonly basepath: string | undefined;
}

/**
 * The catalog API (FACTS.md, "The catalog"): Bearer key in a header, tags percent-encoded in
 * paths. Each method returns data or throws CatalogError; callers turn those into diagnostics.
 */
export class CatalogApi {
  constructor(
    private readonly client: HttpClient,
    private readonly baseUrl: string,
    private readonly key: Secret,
  ) {}

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { authorization: `Bearer ${this.key.reveal()}`, accept: "application/json", ...extra };
  }

  private entityUrl(tag: string, suffix = ""): string {
    return `${this.baseUrl}/api/v1/catalog/${encodeURIComponent(tag)}${suffix}`;
  }

  private fail(res: HttpResponse, what: string, notFound: string): never {
    const e = explainFailure(res, what, { auth: "Check CORTEX_API_KEY: it must be a valid catalog API key with read and edit access to catalog entities.", notFound });
    throw new CatalogError(e.message, e.hint, res.status);
  }

  async postCustomData(tag: string, key: string, value: unknown, description: string): Promise<void> {
    const res = await this.client.send({
      method: "POST",
      url: this.entityUrl(tag, "/custom-data"),
      headers: this.headers({ "content-type": "application/json" }),
      body: JSON.stringify({ key, value, description }),
      // Posting the same key again overwrites it: safe to repeat.
      idempotent: true,
    });
    if (res.status < 200 || res.status >= 300) this.fail(res, `Posting custom data "${key}" to catalog entity "${tag}"`, `The catalog has no entity "${tag}" yet: it appears once the catalog has read the descriptor from the default branch.`);
  }

  async getEntityGit(tag: string): Promise<CatalogGit | undefined> {
    const res = await this.client.send({ method: "GET", url: this.entityUrl(tag), headers: this.headers(), idempotent: true });
    if (res.status === 404) return undefined;
    if (res.status !== 200) this.fail(res, `Reading catalog entity "${tag}"`, "");
    const body = parseJson(res.text) as { git?: Record<string, unknown> } | undefined;
    const git = body?.git;
    if (!git) return { provider: undefined, repository: undefined, alias: undefined, basepath: undefined };
    const s = (k: string) => (typeof git[k] === "string" ? (git[k] as string) : undefined);
    return { provider: s("provider")?.toLowerCase(), repository: s("repository"), alias: s("alias"), basepath: s("basepath") };
  }

  async getCustomData(tag: string): Promise<Map<string, unknown> | undefined> {
    const res = await this.client.send({ method: "GET", url: this.entityUrl(tag, "/custom-data"), headers: this.headers(), idempotent: true });
    if (res.status === 404) return undefined;
    if (res.status !== 200) this.fail(res, `Reading custom data of catalog entity "${tag}"`, "");
    const list = parseJson(res.text);
    const map = new Map<string, unknown>();
    if (Array.isArray(list)) for (const item of list) if (item && typeof item.key === "string") map.set(item.key, item.value);
    return map;
  }

  async dryRun(yamlText: string): Promise<{ ok: boolean; violations: DryRunViolation[] }> {
    const res = await this.client.send({
      method: "POST",
      url: `${this.baseUrl}/api/v1/open-api?dryRun=true`,
      headers: this.headers({ "content-type": "application/openapi;charset=UTF-8" }),
      body: yamlText,
      idempotent: true,
    });
    if (res.status !== 200) this.fail(res, "Validating the descriptor with the catalog (dry run)", "");
    const body = parseJson(res.text) as { ok?: boolean; violations?: Record<string, unknown>[] } | undefined;
    const violations = (body?.violations ?? []).map((v) => ({
      title: String(v.title ?? "violation"),
      description: String(v.description ?? ""),
      pointer: typeof v.pointer === "string" ? v.pointer : undefined,
      startLine: typeof v.startLine === "number" ? v.startLine : undefined,
      endLine: typeof v.endLine === "number" ? v.endLine : undefined,
      violationType: typeof v.violationType === "string" ? v.violationType : undefined,
    }));
    return { ok: body?.ok !== false && violations.length === 0, violations };
  }

  async getScorecardYaml(tag: string): Promise<string> {
    const res = await this.client.send({ method: "GET", url: `${this.baseUrl}/api/v1/scorecards/${encodeURIComponent(tag)}/descriptor`, headers: this.headers({ accept: "application/yaml, text/plain, */*" }), idempotent: true });
    if (res.status !== 200) this.fail(res, `Fetching scorecard "${tag}" from the catalog`, `Check SCORECARD_TAGS: the catalog has no scorecard tagged "${tag}".`);
    return res.text;
  }

  /**
   * Bitbucket account aliases. The public spec lists configuration endpoints only for GitHub
   * and GitLab; a 404 here means "cannot confirm", not "unknown alias" (FACTS.md).
   */
  async bitbucketAliases(): Promise<string[] | undefined> {
    const res = await this.client.send({ method: "GET", url: `${this.baseUrl}/api/v1/bitbucket/configurations`, headers: this.headers(), idempotent: true });
    if (res.status !== 200) return undefined;
    const body = parseJson(res.text) as { configurations?: { alias?: unknown }[] } | { alias?: unknown }[] | undefined;
    const list = Array.isArray(body) ? body : body?.configurations;
    if (!Array.isArray(list)) return undefined;
    return list.map((c) => c.alias).filter((a): a is string => typeof a === "string");
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
