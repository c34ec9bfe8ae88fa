/**
 * Fault injection shared by the stand-in servers. A test adds rules (at start or at any time);
 * each request takes the first rule that matches it and still has uses left. Rules are consumed
 * in the order they were added, so "429 twice, then 503 once, then succeed" is three `add`s.
 *
 * Two kinds of failure matter to a client and are both modelled:
 * - the request never reached the platform (a gateway said 429/503, or the connection dropped):
 *   nothing changed, a retry is safe;
 * - the platform did the work but the response was lost or broken (`processFirst`, `delay`,
 *   `stall`, `malformed-json`): a retry must be idempotent. This is what re-runs and retries of
 *   PUT/POST look like in real life.
 */

export type Fault =
  /** Answer with this status (429, 500, 502, 503, 504 …) in the platform's error shape. */
  | {
      readonly kind: "status";
      readonly status: number;
      /** `Retry-After` header: seconds as a number, or any string sent verbatim (an HTTP-date). */
      readonly retryAfter?: number | string;
      /** Let the platform handle the request first (state changes), then answer with the error. */
      readonly processFirst?: boolean;
    }
  /** Handle the request, then wait this long before sending the response headers. */
  | { readonly kind: "delay"; readonly ms: number }
  /**
   * Handle the request, send the headers and the first `afterBytes` of the body (default: half),
   * then pause `ms` before the rest, so a client's body timeout fires; `thenReset` drops the
   * connection after the pause instead of finishing.
   */
  | { readonly kind: "stall"; readonly ms: number; readonly afterBytes?: number; readonly thenReset?: boolean }
  /** Destroy the socket without a response (ECONNRESET / "other side closed" for the client). */
  | { readonly kind: "reset"; readonly processFirst?: boolean }
  /** Handle the request, then answer 200 with `Content-Type: application/json` and a truncated body. */
  | { readonly kind: "malformed-json" };

export type FaultKind = Fault["kind"];

export interface FaultRule {
  readonly fault: Fault;
  /** Only requests with this method (case-insensitive); any method when absent. */
  readonly method?: string;
  /** Only requests whose raw path contains this string, or matches this RegExp; any path when absent. */
  readonly path?: string | RegExp;
  /** How many matching requests the rule affects (default 1; `Infinity` for "always"). */
  readonly times?: number;
}

interface ActiveRule {
  readonly rule: FaultRule;
  remaining: number;
}

export class FaultController {
  readonly #rules: ActiveRule[] = [];

  constructor(initial: readonly FaultRule[] = []) {
    for (const rule of initial) this.add(rule);
  }

  /** Adds a rule; it applies from the next request on. */
  add(rule: FaultRule): void {
    const times = rule.times ?? 1;
    if (!(times > 0)) throw new Error(`fault rule needs times > 0, got ${times}`);
    this.#rules.push({ rule, remaining: times });
  }

  /** Shorthand for the most common storm: `times` answers of 429 with `Retry-After: seconds`. */
  rateLimit(times: number, retryAfterSeconds: number, scope: Omit<FaultRule, "fault" | "times"> = {}): void {
    this.add({ ...scope, times, fault: { kind: "status", status: 429, retryAfter: retryAfterSeconds } });
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** Uses left across all rules (0 once every injected fault has fired). */
  pending(): number {
    return this.#rules.reduce((sum, r) => sum + r.remaining, 0);
  }

  /** The fault for this request, if any; consumes one use of the rule. */
  take(method: string, path: string): Fault | undefined {
    const active = this.#rules.find((r) => r.remaining > 0 && matches(r.rule, method, path));
    if (!active) return undefined;
    active.remaining -= 1;
    return active.rule.fault;
  }
}

function matches(rule: FaultRule, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (rule.path === undefined) return true;
  return typeof rule.path === "string" ? path.includes(rule.path) : rule.path.test(path);
}
