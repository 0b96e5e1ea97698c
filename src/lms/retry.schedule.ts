/** ±20 %: deliveries failed by one outage do not all come back at the same second. */
const JITTER = 0.2;

/**
 * Delay before attempt `attemptsMade + 1`, or null when the schedule is spent (the delivery fails).
 * `random` is injectable for tests.
 */
export function retryDelayMs(schedule: number[], attemptsMade: number, random = Math.random): number | null {
  const base = schedule[attemptsMade - 1];
  if (base === undefined) return null;
  return Math.round(base * 1000 * (1 + JITTER * (2 * random() - 1)));
}

/** Longest wait a Retry-After may impose: the schedule's last step is a day. */
const MAX_RETRY_AFTER_MS = 24 * 3600 * 1000;

/** A `Retry-After` header in milliseconds (seconds or an HTTP date), or null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return null;
    ms = at - now;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
