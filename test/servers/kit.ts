/**
 * The harness every stand-in runs on: a node:http(s) server on 127.0.0.1, port 0, that records
 * each request, applies injected faults, and sends what the platform module returns.
 *
 * Platform modules stay declarative: `handle` turns a parsed request into a `Reply` value and
 * never touches the socket. That is what lets a fault act "after the platform did the work"
 * (lost response, stalled body, broken JSON) without each platform knowing about faults.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { AuthSeen } from "./auth.js";
import { type Fault, type FaultKind, FaultController, type FaultRule } from "./faults.js";

export interface RecordedRequest {
  /** 1-based arrival order across this server. */
  readonly seq: number;
  readonly method: string;
  /** The path as received, percent-encoding intact (what a client put on the wire). */
  readonly path: string;
  /** Query parameters (the last value wins when one repeats; `queryAll` keeps them all). */
  readonly query: Readonly<Record<string, string>>;
  readonly queryAll: Readonly<Record<string, readonly string[]>>;
  /** Lower-case header names; `authorization`/`proxy-authorization` values are masked. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body; `undefined` when there is no body or it is not JSON. */
  readonly body: unknown;
  readonly rawBody: string;
  readonly auth: AuthSeen;
  /** True when a forward proxy stamped a `Via` header (see proxy.ts). */
  readonly viaProxy: boolean;
  /** The injected fault that shaped the answer, if any. */
  fault?: FaultKind;
  /** Status sent; absent when the connection was reset instead. */
  status?: number;
}

/** What the platform handler sees. */
export interface Incoming {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  readonly auth: AuthSeen;
  readonly viaProxy: boolean;
  /** `http://host[:port]` as the client addressed it (for absolute `next` links). */
  readonly origin: string;
}

export interface Reply {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export function json(status: number, value: unknown, headers: Readonly<Record<string, string>> = {}): Reply {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(value) };
}

export function empty(status: number): Reply {
  return { status };
}

export interface Platform {
  /** Reads `Authorization` (the kit records the result; the handler decides what it allows). */
  readonly authenticate: (header: string | undefined, viaProxy: boolean) => AuthSeen;
  readonly handle: (req: Incoming) => Reply | Promise<Reply>;
  /** The platform's own error body for a status, used for injected faults and malformed paths. */
  readonly errorReply: (status: number, message: string) => Reply;
}

export interface TlsOptions {
  readonly key: string;
  readonly cert: string;
}

/** Options every stand-in accepts. */
export interface StandInOptions {
  /** Faults active from the first request; more can be added at runtime via `faults`. */
  readonly faults?: readonly FaultRule[];
  /** Serve HTTPS with this key pair (see tls.ts), e.g. behind the proxy's CONNECT tunnel. */
  readonly tls?: TlsOptions;
}

export interface StandIn {
  /** `http(s)://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  readonly faults: FaultController;
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024 * 1024;

export async function startStandIn(platform: Platform, options: StandInOptions = {}): Promise<StandIn> {
  const requests: RecordedRequest[] = [];
  const faults = new FaultController(options.faults);
  const closing = new AbortController();
  const sockets = new Set<Socket>();

  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    serve(req, res).catch((err: unknown) => {
      // A bug in a stand-in must be loud, not look like a platform answer.
      console.error("stand-in failure:", err);
      if (!res.headersSent) send(res, platform.errorReply(500, "stand-in failure"));
      else res.destroy();
    });
  };
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener) : http.createServer(listener);
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const method = req.method ?? "GET";
    const target = req.url ?? "/";
    // Origin-form normally; absolute-form when someone talks to a stand-in as if it were a proxy.
    const url = new URL(target, "http://stand-in.invalid");
    const viaProxy = typeof req.headers.via === "string";
    const auth = platform.authenticate(req.headers.authorization, viaProxy);
    const record: RecordedRequest = {
      seq: requests.length + 1,
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      queryAll: groupQuery(url.searchParams),
      headers: maskHeaders(req.headers),
      body: parseJson(rawBody),
      rawBody,
      auth,
      viaProxy,
    };
    requests.push(record);

    const fault = faults.take(method, url.pathname);
    if (fault) record.fault = fault.kind;
    // A gateway-level 429/5xx or reset stops the request before the platform sees it, unless the
    // rule says `processFirst`; a slow, stalled or broken response always comes after the work.
    if ((fault?.kind === "status" || fault?.kind === "reset") && !fault.processFirst) return respond(res, record, undefined, fault);
    const incoming: Incoming = {
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      auth,
      viaProxy,
      origin: `${options.tls ? "https" : "http"}://${req.headers.host ?? "127.0.0.1"}`,
    };
    await respond(res, record, await handleSafely(platform, incoming), fault);
  }

  /** Sends the platform's reply (absent when a gateway fault pre-empted it), shaped by the fault. */
  async function respond(res: ServerResponse, record: RecordedRequest, reply: Reply | undefined, fault: Fault | undefined): Promise<void> {
    if (fault?.kind === "status") return finish(res, record, faultStatusReply(platform, fault));
    if (fault?.kind === "reset") return void res.socket?.destroy();
    if (!reply) throw new Error("no reply to send");
    switch (fault?.kind) {
      case undefined:
        return finish(res, record, reply);
      case "delay":
        await sleep(fault.ms, closing.signal);
        return finish(res, record, reply);
      case "malformed-json": {
        const whole = reply.body && reply.body.length > 1 ? reply.body : '{"type":"error","values":[1,2,3]}';
        return finish(res, record, { status: 200, headers: { "content-type": "application/json; charset=utf-8" }, body: whole.slice(0, Math.ceil(whole.length / 2)) });
      }
      case "stall":
        return stall(res, record, reply, fault);
    }
  }

  async function stall(res: ServerResponse, record: RecordedRequest, reply: Reply, fault: Extract<Fault, { kind: "stall" }>): Promise<void> {
    const body = Buffer.from(reply.body ?? "");
    const cut = Math.min(fault.afterBytes ?? Math.floor(body.length / 2), body.length);
    record.status = reply.status;
    res.writeHead(reply.status, { ...reply.headers, "content-length": String(body.length) });
    res.write(body.subarray(0, cut));
    await sleep(fault.ms, closing.signal);
    if (res.destroyed) return;
    if (fault.thenReset) return void res.socket?.destroy();
    res.end(body.subarray(cut));
  }

  function finish(res: ServerResponse, record: RecordedRequest, reply: Reply): void {
    if (res.destroyed) return;
    record.status = reply.status;
    send(res, reply);
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    port,
    requests,
    faults,
    close: async () => {
      closing.abort();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function handleSafely(platform: Platform, req: Incoming): Promise<Reply> {
  try {
    return await platform.handle(req);
  } catch (err) {
    // Percent-decoding a path segment is the only expected throw: the platforms answer 400.
    if (err instanceof URIError) return platform.errorReply(400, `malformed percent-encoding in ${req.path}`);
    throw err;
  }
}

function faultStatusReply(platform: Platform, fault: Extract<Fault, { kind: "status" }>): Reply {
  const base = platform.errorReply(fault.status, fault.status === 429 ? "Rate limit exceeded" : `Injected ${fault.status}`);
  if (fault.retryAfter === undefined) return base;
  return { ...base, headers: { ...base.headers, "retry-after": String(fault.retryAfter) } };
}

function send(res: ServerResponse, reply: Reply): void {
  const body = reply.body === undefined ? undefined : Buffer.from(reply.body);
  const headers: Record<string, string> = { ...reply.headers };
  if (body) headers["content-length"] = String(body.length);
  res.writeHead(reply.status, headers);
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY) throw new Error(`request body over ${MAX_BODY} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function groupQuery(params: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of params) (out[k] ??= []).push(v);
  return out;
}

export function maskHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = name === "authorization" || name === "proxy-authorization" ? "***" : Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Matches `path` against a pattern like `/2.0/repositories/{workspace}/{slug}`; returns the
 * percent-decoded parameters, or undefined. Splitting before decoding keeps an encoded `%2F`
 * inside one parameter (a tag like `@scope/name`), as real servers do. Throws URIError on
 * malformed encoding.
 */
export function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? "";
    const g = got[i] ?? "";
    if (w.startsWith("{") && w.endsWith("}")) {
      if (g === "") return undefined;
      params[w.slice(1, -1)] = decodeURIComponent(g);
    } else if (w !== g) {
      return undefined;
    }
  }
  return params;
}
