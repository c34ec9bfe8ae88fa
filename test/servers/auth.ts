/**
 * Credentials the stand-ins accept. Every credential has a `name`, and that name (never the
 * secret) is what the recorded requests carry, so a test can assert "this request used the
 * Pipelines proxy's credential" without the token itself ever landing in test output.
 */

export type Credential =
  | { readonly name: string; readonly bearer: string; readonly readOnly?: boolean }
  | { readonly name: string; readonly basic: { readonly username: string; readonly password: string }; readonly readOnly?: boolean };

export type AuthScheme = "bearer" | "basic" | "other" | "none";

/** What the server saw in `Authorization`: the scheme, and which credential matched if any. */
export interface AuthSeen {
  readonly scheme: AuthScheme;
  /** The matched credential's name; absent when the header matched nothing. */
  readonly principal?: string;
  readonly readOnly?: boolean;
}

/** The `Authorization` value a client (or the proxy) sends for a credential. */
export function authorizationHeader(credential: Credential): string {
  if ("bearer" in credential) return `Bearer ${credential.bearer}`;
  const { username, password } = credential.basic;
  return `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
}

/** Matches an `Authorization` header against the configured credentials. */
export function identify(header: string | undefined, credentials: readonly Credential[]): AuthSeen {
  if (!header) return { scheme: "none" };
  const scheme = schemeOf(header);
  const match = credentials.find((c) => authorizationHeader(c) === header.trim());
  return match ? { scheme, principal: match.name, readOnly: match.readOnly ?? false } : { scheme };
}

function schemeOf(header: string): AuthScheme {
  const word = header.trim().split(/\s+/, 1)[0]?.toLowerCase();
  if (word === "bearer") return "bearer";
  if (word === "basic") return "basic";
  return "other";
}
