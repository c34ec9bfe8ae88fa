/**
 * Pure retry policy: which failures are worth another try, and how long to wait. Exponential
 * backoff with full jitter, `Retry-After` honoured (seconds or an HTTP date), all inside a total
 * time budget so a storm of 429s cannot hold a build hostage.
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Total time for all attempts of one request, waits included. */
  readonly budgetMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 20_000, budgetMs: 90_000 };

export const RETRY_STATUSES = new Set([429, 502, 503, 504]);
export const RETRY_ERROR_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CLOSED", "EAI_AGAIN", "TimeoutError", "UND_ERR_ABORTED"]);

/** `Retry-After: 7` or `Retry-After: Wed, 21 Oct 2026 07:28:00 GMT` → milliseconds. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The wait before attempt `attempt + 1` (attempt counts from 1), or undefined to give up. */
export function nextDelay(
  policy: RetryPolicy,
  attempt: number,
  elapsedMs: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number | undefined {
  if (attempt >= policy.maxAttempts) return undefined;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const delay = retryAfterMs !== undefined ? retryAfterMs : Math.round(random() * backoff);
  if (elapsedMs + delay > policy.budgetMs) return undefined;
  return delay;
}
