import type { SandboxStopReason } from '../sandbox/sandbox.types';

/**
 * Why a command or the sandbox stopped, as the student reads it (French). The one wording of the
 * stop reasons: the notices of a grade and the transcript's skipped lines both use it, so a raw
 * code (`lifetime`, `memory-limit`) never reaches a student.
 */
export const STOP_TEXT: Record<SandboxStopReason, string> = {
  timeout: 'délai dépassé',
  'output-limit': 'sortie trop volumineuse',
  'memory-limit': 'mémoire du bac à sable épuisée',
  'disk-limit': 'disque du bac à sable plein',
  lifetime: 'durée maximale du bac à sable atteinte',
  destroyed: 'bac à sable détruit',
  'scratch-full': 'disque de travail du serveur plein',
};

/** The transcript's note on a line not run because the sandbox had stopped before it. */
export function skippedAfterStop(reason: SandboxStopReason): string {
  return `le bac à sable s'était arrêté (${STOP_TEXT[reason]})`;
}
