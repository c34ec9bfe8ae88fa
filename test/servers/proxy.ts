/**
 * A real HTTP forward proxy on its own loopback port, standing in for Bitbucket Pipelines'
 * auth proxy (`localhost:29418` in a step, `host.docker.internal:29418` in a pipe) and for any
 * `HTTP(S)_PROXY`. It forwards absolute-form requests (`GET http://api.bitbucket.org/2.0/… HTTP/1.1`,
 * what undici's ProxyAgent sends for http targets with `proxyTunnel: false`) and tunnels CONNECT
 * (what ProxyAgent does by default, and always for https). Hostnames map to the stand-ins'
 * loopback ports through `routes`; anything unmapped is refused, so no test reaches the network.
 *
 * In Pipelines mode it adds `Authorization` to plain-HTTP requests for the Bitbucket host only.
 * A CONNECT tunnel is opaque, so nothing can be injected into it: a client that tunnels to
 * `api.bitbucket.org:80` arrives without credentials and gets the API's 401 — the real trap.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import net, { type AddressInfo, type Socket } from "node:net";
import { maskHeaders } from "./kit.js";

export interface ProxyOptions {
  /** Host (`api.bitbucket.org`, or `host:port` to be specific) → stand-in base URL. */
  readonly routes: Readonly<Record<string, string>>;
  /** Pipelines auth-proxy mode: the `Authorization` value to add, and for which hosts. */
  readonly inject?: {
    readonly authorization: string;
    /** Default `["api.bitbucket.org"]`: the real proxy authorises Bitbucket, never a third party. */
    readonly hosts?: readonly string[];
  };
  /** Port to listen on; 0 (default) picks a free one. Pipelines' auth proxy is on 29418. */
  readonly port?: number;
  /** `reject` answers CONNECT with 405, for a proxy that only forwards plain HTTP. Default `tunnel`. */
  readonly connect?: "tunnel" | "reject";
}

export interface ProxyRecord {
  readonly kind: "forward" | "tunnel";
  readonly method: string;
  /** The absolute URL (forward) or `host:port` (tunnel) the client asked for. */
  readonly target: string;
  /** The stand-in base URL it was routed to; absent when refused. */
  readonly routedTo?: string;
  /** True when this proxy added the Authorization header. */
  readonly injected: boolean;
  /** Headers as the client sent them, credentials masked. */
  readonly headers: Readonly<Record<string, string>>;
  status?: number;
  error?: string;
}

export interface ProxyServer {
  /** `http://127.0.0.1:<port>`: the value for `HTTP_PROXY` / ProxyAgent. */
  readonly url: string;
  readonly port: number;
  readonly records: ProxyRecord[];
  close(): Promise<void>;
}

/** Connection-level headers a proxy must not pass on (RFC 9110 §7.6.1), plus its own credentials. */
const HOP_BY_HOP = new Set(["connection", "proxy-connection", "keep-alive", "proxy-authorization", "proxy-authenticate", "te", "trailer", "upgrade"]);

export async function startProxy(options: ProxyOptions): Promise<ProxyServer> {
  const records: ProxyRecord[] = [];
  const sockets = new Set<Socket>();
  const injectHosts = new Set(options.inject?.hosts ?? ["api.bitbucket.org"]);
  const lookup = (authority: string, hostname: string): string | undefined => options.routes[authority] ?? options.routes[hostname];

  const server = http.createServer((req, res) => forward(req, res));
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => tunnel(req, client, head));

  function forward(req: IncomingMessage, res: ServerResponse): void {
    const target = req.url ?? "";
    const method = req.method ?? "GET";
    if (!/^https?:\/\//i.test(target)) {
      records.push({ kind: "forward", method, target, injected: false, headers: maskHeaders(req.headers), status: 400, error: "origin-form request" });
      return plain(res, 400, "this is a proxy: send the absolute URL (GET http://host/path HTTP/1.1)");
    }
    const url = new URL(target);
    const base = lookup(url.host, url.hostname);
    const injected = options.inject !== undefined && url.protocol === "http:" && injectHosts.has(url.hostname);
    const record: ProxyRecord = { kind: "forward", method, target, injected, headers: maskHeaders(req.headers), ...(base ? { routedTo: base } : {}) };
    records.push(record);
    if (!base) {
      record.status = 502;
      return plain(res, 502, `stand-in proxy: no route for ${url.host}`);
    }
    const upstreamUrl = new URL(base);
    const headers = outgoingHeaders(req.headers);
    if (injected && options.inject) headers["authorization"] = options.inject.authorization;
    const request = upstreamUrl.protocol === "https:" ? https.request : http.request;
    const upstream = request(
      {
        hostname: upstreamUrl.hostname,
        port: upstreamUrl.port,
        method,
        path: `${url.pathname}${url.search}`,
        headers,
        agent: false, // one connection per request: a reset upstream stays one reset here
        rejectUnauthorized: false, // loopback stand-ins with a throwaway certificate
      },
      (up) => {
        record.status = up.statusCode;
        res.writeHead(up.statusCode ?? 502, outgoingHeaders(up.headers));
        up.pipe(res);
        up.on("error", () => res.destroy());
        up.on("aborted", () => res.destroy());
      },
    );
    upstream.on("error", (err: NodeJS.ErrnoException) => {
      record.error = err.code ?? err.message;
      // Unreachable stand-in → 502; a connection the stand-in dropped → drop ours too, so the
      // client sees the same reset it would see without a proxy.
      if (err.code === "ECONNREFUSED" && !res.headersSent) return plain(res, 502, `stand-in proxy: ${upstreamUrl.host} refused the connection`);
      res.destroy();
    });
    req.pipe(upstream);
  }

  function tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    const authority = req.url ?? "";
    const hostname = authority.replace(/:\d+$/, "");
    const base = lookup(authority, hostname);
    const record: ProxyRecord = { kind: "tunnel", method: "CONNECT", target: authority, injected: false, headers: maskHeaders(req.headers), ...(base ? { routedTo: base } : {}) };
    records.push(record);
    client.on("error", () => client.destroy());
    if (options.connect === "reject" || !base) {
      record.status = base ? 405 : 502;
      client.end(`HTTP/1.1 ${record.status} ${base ? "Method Not Allowed" : "Bad Gateway"}\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    const upstreamUrl = new URL(base);
    const port = Number(upstreamUrl.port || (upstreamUrl.protocol === "https:" ? 443 : 80));
    const upstream = net.connect(port, upstreamUrl.hostname, () => {
      record.status = 200;
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", (err: NodeJS.ErrnoException) => {
      record.error = err.code ?? err.message;
      client.destroy();
    });
    client.on("close", () => upstream.destroy());
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    records,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Headers to pass on: hop-by-hop ones dropped, a `Via` added so the stand-ins can tell. */
function outgoingHeaders(incoming: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  out["via"] = incoming.via ? `${String(incoming.via)}, 1.1 stand-in-proxy` : "1.1 stand-in-proxy";
  return out;
}

function plain(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": String(Buffer.byteLength(text)) });
  res.end(text);
}
