import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HttpClient, HttpError, platformMessage } from "../src/http/client.js";
import { nextDelay, parseRetryAfter } from "../src/http/retry.js";
import { Secret } from "../src/secret.js";

type Handler = (req: IncomingMessage, res: ServerResponse, n: number) => void;
const servers: { close(): void }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function serve(handler: Handler): Promise<{ url: string; hits: () => number }> {
  let n = 0;
  const server = createServer((req, res) => handler(req, res, ++n));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push({ close: () => server.close() });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => n };
}

const waits: number[] = [];
const client = (secrets: Secret[] = []) =>
  HttpClient.direct({
    userAgent: "test",
    secrets,
    retry: { maxAttempts: 5, baseDelayMs: 10, maxDelayMs: 50, budgetMs: 5_000 },
    timeouts: { connectMs: 1000, headersMs: 500, bodyMs: 500 },
    sleep: async (ms) => {
      waits.push(ms);
    },
  });

describe("retry policy", () => {
  it("parses Retry-After as seconds or a date", () => {
    expect(parseRetryAfter("3", 0)).toBe(3000);
    expect(parseRetryAfter("Thu, 01 Jan 1970 00:00:10 GMT", 4000)).toBe(6000);
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
  });
  it("backs off exponentially with jitter and stops at the budget or the attempt limit", () => {
    const p = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1000, budgetMs: 2000 };
    expect(nextDelay(p, 1, 0, undefined, () => 1)).toBe(100);
    expect(nextDelay(p, 3, 0, undefined, () => 1)).toBe(400);
    expect(nextDelay(p, 4, 0, undefined, () => 1)).toBeUndefined();
    expect(nextDelay(p, 1, 0, 5000)).toBeUndefined(); // Retry-After beyond the budget: give up now
    expect(nextDelay(p, 1, 0, 700)).toBe(700);
  });
});

describe("HttpClient over loopback", () => {
  it("rides out 429s honouring Retry-After", async () => {
    waits.length = 0;
    const s = await serve((_req, res, n) => {
      if (n <= 3) {
        res.writeHead(429, { "retry-after": "1" }).end('{"error":{"message":"slow down"}}');
      } else res.writeHead(200).end("ok");
    });
    const r = await client().send({ method: "POST", url: `${s.url}/x`, body: "{}", idempotent: false });
    expect(r.status).toBe(200);
    expect(s.hits()).toBe(4);
    expect(waits).toEqual([1000, 1000, 1000]);
  });

  it("retries 503 for idempotent requests only", async () => {
    const s = await serve((_req, res) => res.writeHead(503).end());
    expect((await client().send({ method: "PUT", url: s.url, idempotent: true })).status).toBe(503);
    expect(s.hits()).toBe(5);
    const t = await serve((_req, res) => res.writeHead(503).end());
    expect((await client().send({ method: "POST", url: t.url, idempotent: false })).status).toBe(503);
    expect(t.hits()).toBe(1);
  });

  it("retries connection resets and then succeeds", async () => {
    const s = await serve((req, res, n) => (n === 1 ? req.socket.destroy() : res.writeHead(200).end("fine")));
    const r = await client().send({ method: "GET", url: s.url, idempotent: true });
    expect(r.text).toBe("fine");
  });

  it("times out a server that never answers, with a clear error and no secret", async () => {
    const s = await serve(() => {});
    const secret = new Secret("super-secret-token");
    const err = await client([secret])
      .send({ method: "GET", url: `${s.url}/never`, headers: { authorization: `Bearer ${secret.reveal()}` }, idempotent: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(String((err as Error).message)).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/never failed after 5 attempt\(s\): UND_ERR_HEADERS_TIMEOUT/);
    expect(String((err as Error).message)).not.toContain("super-secret-token");
  });

  it("bounds a whole attempt, so a body that trickles in forever cannot stall the build", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      const t = setInterval(() => res.write("."), 50);
      res.on("close", () => clearInterval(t));
    });
    const c = HttpClient.direct({ userAgent: "t", secrets: [], retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, budgetMs: 5_000 }, timeouts: { connectMs: 500, headersMs: 500, bodyMs: 500, attemptMs: 300 } });
    const err = await c.send({ method: "GET", url: s.url, idempotent: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(String((err as Error).message)).toMatch(/failed after 2 attempt\(s\)/);
  });

  it("refuses a gigantic response body instead of buffering it", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(500);
      const chunk = Buffer.alloc(1024 * 1024, 120);
      let sent = 0;
      const pump = () => {
        while (sent < 20 && res.write(chunk)) sent++;
        if (sent < 20) res.once("drain", pump);
        else res.end();
      };
      pump();
    });
    const err = await client().send({ method: "POST", url: s.url, idempotent: false }).catch((e: unknown) => e);
    expect(String((err as Error).message)).toContain("RESPONSE_TOO_LARGE");
  });

  it("stops calling an origin that stayed unreachable after a full retry budget", async () => {
    waits.length = 0;
    const c = client();
    const first = await c.send({ method: "GET", url: "http://127.0.0.1:9/a", idempotent: true }).catch((e: unknown) => e);
    expect(String((first as Error).message)).toContain("failed after 5 attempt(s): ECONNREFUSED");
    const retriesBefore = waits.length;
    const second = await c.send({ method: "POST", url: "http://127.0.0.1:9/b", idempotent: false }).catch((e: unknown) => e);
    expect(String((second as Error).message)).toContain("not attempted: http://127.0.0.1:9 was unreachable earlier in this run");
    expect(waits.length).toBe(retriesBefore);
  });

  it("sends a User-Agent and never puts the token in the URL", async () => {
    let seen: IncomingMessage | undefined;
    const s = await serve((req, res) => {
      seen = req;
      res.writeHead(200).end();
    });
    await client().send({ method: "GET", url: `${s.url}/p`, headers: { authorization: "Bearer abc" }, idempotent: true });
    expect(seen?.headers["user-agent"]).toBe("test");
    expect(seen?.url).toBe("/p");
  });
});

describe("platform error messages", () => {
  it.each([
    ['{"type":"error","error":{"message":"Bad summary","fields":{"summary":["too long"]}}}', 'Bad summary ({"summary":["too long"]})'],
    ['{"errors":[{"message":"Insights report key too long"}]}', "Insights report key too long"],
    ['{"message":"Unauthorized"}', "Unauthorized"],
    ["<html>bad gateway</html>", "<html>bad gateway</html>"],
    ["", undefined],
  ])("%s", (body, want) => expect(platformMessage(body)).toBe(want));
});
