/**
 * A throwaway self-signed certificate for HTTPS stand-ins (e.g. `https://api.bitbucket.org`
 * reached through the proxy's CONNECT tunnel). Generated per test run with the system
 * `openssl`, so no private key is ever committed. Clients trust it through `ca` (undici
 * `connect`/`requestTls`) or `NODE_EXTRA_CA_CERTS=<certFile>` for a child process.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TlsOptions } from "./kit.js";

export interface TestCertificate extends TlsOptions {
  /** The certificate as a file, for `NODE_EXTRA_CA_CERTS`. Removed with `dispose()`. */
  readonly certFile: string;
  dispose(): void;
}

export const DEFAULT_TLS_HOSTS = ["api.bitbucket.org", "api.getcortexapp.com", "bitbucket.example.com", "localhost", "127.0.0.1"];

export function createTestCertificate(hosts: readonly string[] = DEFAULT_TLS_HOSTS): TestCertificate {
  const dir = mkdtempSync(path.join(tmpdir(), "stand-in-tls-"));
  const keyFile = path.join(dir, "key.pem");
  const certFile = path.join(dir, "cert.pem");
  const san = hosts.map((h) => (/^[\d.]+$/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(",");
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=stand-in", "-addext", `subjectAltName=${san}`, "-keyout", keyFile, "-out", certFile],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return {
    key: readFileSync(keyFile, "utf8"),
    cert: readFileSync(certFile, "utf8"),
    certFile,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
