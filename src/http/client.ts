import { Agent, EnvHttpProxyAgent, ProxyAgent, request, type Dispatcher } from "undici";
import { redact, type Secret } from "../secret.js";
import { DEFAULT_RETRY, nextDelay, parseRetryAfter, RETRY_ERROR_CODES, RETRY_STATUSES, type RetryPolicy } from "./retry.js";

export interface HttpRequest {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Only idempotent requests are retried after the server may have seen them. */
  readonly idempotent: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

/** A request that did not get a usable answer: a network fault or a non-2xx after retries. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly body: string,
    readonly attempts: number,
  ) {
    super(message);
  }
}

export interface HttpClientOptions {
  readonly userAgent: string;
  readonly secrets: readonly Secret[];
  readonly dispatcher?: Dispatcher;
  readonly retry?: RetryPolicy;
  readonly timeouts?: { readonly connectMs: number; readonly headersMs: number; readonly bodyMs: number; readonly attemptMs?: number };
  readonly log?: (message: string) => void;
  readonly sleep?: (ms: number) => Promise<void>;
}

const DEFAULT_TIMEOUTS = { connectMs: 10_000, headersMs: 30_000, bodyMs: 30_000 };
/** Whole-attempt bound (connect + headers + body), so a trickling response cannot stall a build. */
const DEFAULT_ATTEMPT_MS = 60_000;
/** No answer we read is legitimately larger; a bigger one is cut, not buffered whole. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

async function readCapped(body: AsyncIterable<Buffer | Uint8Array> & { destroy?: () => void }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy?.();
      throw Object.assign(new Error(`response body larger than ${limit} bytes`), { code: "RESPONSE_TOO_LARGE" });
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * The one HTTP client (undici). Timeouts on connect, headers and body; retries with backoff on
 * 429/502/503/504 and connection faults; proxies from HTTP(S)_PROXY/NO_PROXY unless a dispatcher
 * is given. Tokens only ever travel in headers, and nothing it logs or throws contains one.
 */
export class HttpClient {
  private readonly dispatcher: Dispatcher;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly attemptMs: number;
  /** Origins that stayed unreachable after a full retry budget: later calls fail at once. */
  private readonly unreachable = new Map<string, string>();

  constructor(private readonly options: HttpClientOptions) {
    const t = options.timeouts ?? DEFAULT_TIMEOUTS;
    this.dispatcher =
      options.dispatcher ??
      // Plain-http targets are forwarded, not tunnelled: many proxies only allow CONNECT to 443.
      new EnvHttpProxyAgent({ proxyTunnel: false, connect: { timeout: t.connectMs }, headersTimeout: t.headersMs, bodyTimeout: t.bodyMs });
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.attemptMs = options.timeouts?.attemptMs ?? DEFAULT_ATTEMPT_MS;
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** A client for a fixed forward proxy (Pipelines' auth proxy), with the same policies. */
  static viaProxy(proxyUrl: string, options: HttpClientOptions): HttpClient {
    const t = options.timeouts ?? DEFAULT_TIMEOUTS;
    // proxyTunnel: false — undici would otherwise CONNECT even for http:// targets, and the
    // Pipelines proxy cannot add its credentials inside a tunnel (plain forwarding is what it expects).
    return new HttpClient({
      ...options,
      dispatcher: new ProxyAgent({ uri: proxyUrl, proxyTunnel: false, connect: { timeout: t.connectMs }, headersTimeout: t.headersMs, bodyTimeout: t.bodyMs }),
    });
  }

  static direct(options: HttpClientOptions): HttpClient {
    const t = options.timeouts ?? DEFAULT_TIMEOUTS;
    return new HttpClient({ ...options, dispatcher: new Agent({ connect: { timeout: t.connectMs }, headersTimeout: t.headersMs, bodyTimeout: t.bodyMs }) });
  }

  async send(req: HttpRequest): Promise<HttpResponse> {
    const started = Date.now();
    const where = `${req.method} ${safeUrl(req.url)}`;
    const origin = originOf(req.url);
    const down = this.unreachable.get(origin);
    if (down) throw new HttpError(`${where} not attempted: ${origin} was unreachable earlier in this run (${down})`, undefined, "", 0);
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse | undefined;
      let fault: Error | undefined;
      try {
        // A server that drips its body slowly never trips the idle timeouts: bound the attempt.
        const r = await request(req.url, {
          method: req.method,
          headers: { "user-agent": this.options.userAgent, ...req.headers },
          body: req.body,
          dispatcher: this.dispatcher,
          signal: AbortSignal.timeout(this.attemptMs),
        });
        res = { status: r.statusCode, headers: r.headers, text: await readCapped(r.body, MAX_RESPONSE_BYTES) };
      } catch (e) {
        fault = e as Error;
      }
      const elapsed = Date.now() - started;
      this.options.log?.(`${where} → ${res ? res.status : code(fault)} in ${elapsed} ms (attempt ${attempt})`);
      if (res && !RETRY_STATUSES.has(res.status)) return res;
      const retryable = res ? isRetryableStatus(req, res.status) : isRetryableFault(req, code(fault));
      const retryAfter = res ? parseRetryAfter(header(res, "retry-after"), Date.now()) : undefined;
      const delay = retryable ? nextDelay(this.retry, attempt, elapsed, retryAfter) : undefined;
      if (delay === undefined) {
        if (res) return res;
        // Paying the whole retry budget again for every later call would only delay the report.
        if (RETRY_ERROR_CODES.has(code(fault))) this.unreachable.set(origin, describeFault(fault));
        throw new HttpError(this.scrub(`${where} failed after ${attempt} attempt(s): ${describeFault(fault)}`), undefined, "", attempt);
      }
      await this.sleep(delay);
    }
  }

  private scrub(text: string): string {
    return redact(text, this.options.secrets);
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

/** 429 means "not processed", so even a POST may be repeated; a 5xx only for idempotent calls. */
function isRetryableStatus(req: HttpRequest, status: number): boolean {
  return status === 429 || (RETRY_STATUSES.has(status) && req.idempotent);
}

/** A refused connection never reached the server; other faults may have, so only idempotent calls. */
function isRetryableFault(req: HttpRequest, faultCode: string): boolean {
  return RETRY_ERROR_CODES.has(faultCode) && (req.idempotent || faultCode === "ECONNREFUSED");
}

function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The fault's code: undici's and node's string codes; a DOMException (a timeout) by its name. */
function code(e: Error | undefined): string {
  const own = (e as { code?: unknown } | undefined)?.code;
  const cause = (e as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const c = typeof own === "string" ? own : typeof cause === "string" ? cause : undefined;
  return c ?? e?.name ?? "error";
}

function describeFault(e: Error | undefined): string {
  const c = code(e);
  return `${c}${e?.message && !e.message.includes(c) ? ` (${e.message})` : ""}`;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** URLs never carry credentials here, but strip any query string values just in case. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = "";
    u.password = "";
    return `${u.origin}${u.pathname}${u.search ? "?…" : ""}`;
  } catch {
    return "(invalid URL)";
  }
}

/** The platform's own error message from a JSON error body, in any of the shapes they use. */
export function platformMessage(text: string): string | undefined {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const err = j.error as Record<string, unknown> | undefined;
    const errors = j.errors as { message?: string }[] | undefined;
    const m = (err && typeof err.message === "string" ? err.message : undefined) ?? errors?.[0]?.message ?? (typeof j.message === "string" ? j.message : undefined) ?? (typeof j.details === "string" ? j.details : undefined);
    if (!m) return undefined;
    const fields = err?.fields ? ` (${JSON.stringify(err.fields).slice(0, 200)})` : "";
    return `${m}${fields}`;
  } catch {
    return text.trim() ? text.trim().slice(0, 200) : undefined;
  }
}
