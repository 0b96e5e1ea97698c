/**
 * A short, bounded cause for an infrastructure error, as a metric label: the error's class or
 * code, never its message (messages carry ids and would make one series per failure).
 */
export function infrastructureCause(error: unknown): string {
  const e = error as { code?: unknown; name?: unknown; cause?: unknown };
  if (typeof e?.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(e.code)) return e.code;
  const cause = e?.cause as { code?: unknown } | undefined;
  if (typeof cause?.code === 'string' && /^[A-Z0-9_]{2,40}$/.test(cause.code)) return cause.code;
  if (error instanceof Error && error.name !== 'Error') return error.name;
  return 'other';
}
