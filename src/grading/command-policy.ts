import { analyseLine, type SimpleCommand } from './shell-line.analyzer';

/**
 * Which programs a submitted line may invoke. The sandbox is the security boundary; this policy
 * keeps replays about Docker (and refuses lines we cannot analyse), so a refused line is explained
 * to the student instead of being run. Every simple command of the line is checked, including
 * those in pipes, lists and command substitutions.
 */

/** Programs a line may run besides docker; documented in docs/submission-format.md. */
export const ALLOWED_PROGRAMS: ReadonlySet<string> = new Set([
  'docker',
  'echo',
  'printf',
  'cat',
  'ls',
  'pwd',
  'cd',
  'mkdir',
  'touch',
  'cp',
  'mv',
  'curl',
  'sleep',
  'grep',
  'head',
  'tail',
  'wc',
  'sort',
  'uniq',
  'cut',
  'tr',
  'tee',
  'true',
  'false',
  'test',
  '[',
  'date',
  'clear',
  'exit',
  'export',
  'which',
  'whoami',
  'uname',
  'xargs',
]);

/** Programs refused with a specific explanation. */
const HINTS: Record<string, string> = {
  sudo: 'sudo est inutile ici : tapez la commande sans sudo',
  sh: "lancer un shell (sh, bash …) sur la machine n'est pas autorisé ; pour un shell dans un conteneur, utilisez « docker exec -it <conteneur> sh »",
  bash: "lancer un shell (sh, bash …) sur la machine n'est pas autorisé ; pour un shell dans un conteneur, utilisez « docker exec -it <conteneur> bash »",
  rm: "rm n'est pas autorisé sur la machine ; pour supprimer des conteneurs ou des images, utilisez « docker rm » / « docker image rm »",
  eval: "eval n'est pas autorisé",
  source: "source n'est pas autorisé",
  '.': "« . » (source) n'est pas autorisé",
  exec: "exec n'est pas autorisé",
};

export type PolicyDecision = { allowed: true } | { allowed: false; reason: string };

export function checkCommandLine(line: string): PolicyDecision {
  const analysis = analyseLine(line);
  if (!analysis.ok) return { allowed: false, reason: analysis.reason };
  for (const c of analysis.commands) {
    const d = checkSimpleCommand(c);
    if (!d.allowed) return d;
  }
  return { allowed: true };
}

function checkSimpleCommand(c: SimpleCommand): PolicyDecision {
  if (c.words.length === 0) return { allowed: true }; // assignments only: `NOM=valeur`
  return checkProgram(
    c.words.map((w) => w.text),
    c.words[0].dynamic,
  );
}

function checkProgram(words: string[], dynamicProgram: boolean): PolicyDecision {
  const program = words[0];
  if (dynamicProgram) {
    return {
      allowed: false,
      reason: `le programme à lancer (« ${program} ») doit être écrit en toutes lettres, pas venir d'une variable ou d'une substitution`,
    };
  }
  if (program.includes('/')) {
    return {
      allowed: false,
      reason: `« ${program} » : donnez le nom du programme sans chemin (programmes autorisés : ${[...ALLOWED_PROGRAMS].join(', ')})`,
    };
  }
  if (!ALLOWED_PROGRAMS.has(program)) {
    const hint = HINTS[program];
    return {
      allowed: false,
      reason:
        hint ??
        `le programme « ${program} » n'est pas autorisé ici (programmes autorisés : ${[...ALLOWED_PROGRAMS].join(', ')})`,
    };
  }
  if (program === 'xargs') return checkXargs(words.slice(1));
  return { allowed: true };
}

/** xargs runs a program: check that one (`docker ps -aq | xargs docker rm -f`). */
function checkXargs(args: string[]): PolicyDecision {
  const withValue = new Set(['-n', '-I', '-L', '-P', '-d', '-s', '-E', '-a']);
  let i = 0;
  while (i < args.length && args[i].startsWith('-')) {
    i += withValue.has(args[i]) ? 2 : 1;
  }
  if (i >= args.length) return { allowed: true }; // xargs alone runs echo
  return checkProgram(args.slice(i), false);
}
