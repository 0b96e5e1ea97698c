/** French display of dates, scores and statuses, shared by the pages. */

const dateTime = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
});

export function formatDate(d: Date | string): string {
  return dateTime.format(new Date(d));
}

/** 7 → "7", 7.5 → "7,5". */
export function formatPoints(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1).replace('.', ',');
}

export function formatScore(score: number, max: number): string {
  return `${formatPoints(score)} / ${formatPoints(max)}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1).replace('.', ',')} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export type Status = 'queued' | 'running' | 'graded' | 'error' | 'internal_error';

/** Ours, not the student's: an infrastructure failure or a bug of ours; never counted as an attempt. */
export function isServiceFailure(status: Status): boolean {
  return status === 'error' || status === 'internal_error';
}

export const STATUS_LABEL: Record<Status, string> = {
  queued: "En file d'attente",
  running: 'En cours de correction',
  graded: 'Corrigée',
  error: 'Erreur du service',
  internal_error: 'Erreur du service',
};

export const INFRA_ERROR_TEXT = 'Erreur du service, cette tentative ne compte pas';

export function plural(n: number, one: string, many: string): string {
  return `${n} ${n > 1 ? many : one}`;
}
