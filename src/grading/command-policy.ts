import { analyseLine, unwrapped, type SimpleCommand } from '../submission-format/shell-line.analyzer';
import { SANDBOX_TOOLS, type OptionalTool } from '../sandbox/sandbox-tools';

/**
 * What the replay does with a submitted line. The sandbox is the security boundary (a student's
 * shell there can do nothing a student could not do on their own machine); this policy does not
 * refuse harmless shell. It keeps replays about the course and explains the few lines that cannot
 * be replayed: full-screen editors (nothing would be typed into them) and `docker compose`, unless
 * the exercise allows it and the sandboxes have it (see ../sandbox/sandbox-tools.ts). Host habits are run as the student meant them, with a notice: `sudo`
 * (the sandbox's shell has a `sudo` that runs the rest) and Git Bash's `winpty` (runs what follows).
 * Every simple command of the line is looked at: pipes, lists, loops, `$( )`, backticks.
 */

export type PolicyDecision = { allowed: true; notices: string[] } | { allowed: false; reason: string };

/** Full-screen editors: typed keys cannot be replayed into them. */
const EDITORS = new Set([
  'nano',
  'vi',
  'vim',
  'vim.tiny',
  'nvim',
  'emacs',
  'pico',
  'micro',
  'code',
  'notepad',
  'gedit',
]);

const EDITOR_REASON = (program: string) =>
  `« ${program} » ouvre un éditeur plein écran, qui ne peut pas être rejoué : joignez le fichier à la soumission, ` +
  `ou écrivez-le avec un here-document, par exemple « cat > Dockerfile <<'FIN' » puis ses lignes puis « FIN »`;

/** The exercise does not ask for compose: the course's way is one `docker run` per container. */
const COMPOSE_NOT_ALLOWED =
  'cet exercice se fait sans docker compose : lancez chaque conteneur avec « docker run », comme dans le cours';

/** The sandboxes lack compose, whatever the exercise says: refused plainly, never run to fail in English. */
const COMPOSE_UNAVAILABLE =
  "docker compose n'est pas installé dans les bacs à sable de correction : lancez les conteneurs avec « docker run », " +
  "comme dans le cours (si l'exercice demande docker compose, signalez-le à votre enseignant)";

export interface PolicyOptions {
  /** What the exercise allows beyond the docker CLI (`allow:` in exercise.yaml). */
  allow?: readonly OptionalTool[];
  /** What the sandboxes have; the sandbox image's set unless a test says otherwise. */
  available?: ReadonlySet<OptionalTool>;
}

const SUDO_NOTICE =
  "« sudo » est inutile ici (l'utilisateur du bac à sable a accès à docker) : la commande a été exécutée sans sudo";

export function checkCommandLine(line: string, options: PolicyOptions = {}): PolicyDecision {
  const analysis = analyseLine(line);
  // What we cannot analyse is still the shell's to run: a syntax error is then the student's to read.
  if (!analysis.ok) return { allowed: true, notices: [] };
  const compose = composeRefusal(options);
  const notices = new Set<string>();
  for (const c of analysis.commands) {
    const d = checkSimpleCommand(c, compose);
    if (!d.allowed) return d;
    d.notices.forEach((n) => notices.add(n));
  }
  return { allowed: true, notices: [...notices] };
}

/**
 * Why a compose line is refused for this exercise, or undefined when it may run. Availability
 * first: while the sandboxes lack compose, every exercise gives the same answer, so the submission
 * form (which checks with the defaults, not knowing the exercise's `allow`) says what grading says.
 */
function composeRefusal({ allow = [], available = SANDBOX_TOOLS }: PolicyOptions): string | undefined {
  if (!available.has('compose')) return COMPOSE_UNAVAILABLE;
  return allow.includes('compose') ? undefined : COMPOSE_NOT_ALLOWED;
}

function checkSimpleCommand(c: SimpleCommand, composeRefused: string | undefined): PolicyDecision {
  const { words, sudo } = unwrapped(c.words.map((w) => w.text));
  const notices = sudo ? [SUDO_NOTICE] : [];
  const program = (words[0] ?? '').split('/').pop() ?? '';
  if (EDITORS.has(program)) return { allowed: false, reason: EDITOR_REASON(program) };
  if (program === 'docker-compose' || (program === 'docker' && words.includes('compose'))) {
    const sub = words.slice(1).find((w) => !w.startsWith('-'));
    if ((program === 'docker-compose' || sub === 'compose') && composeRefused)
      return { allowed: false, reason: composeRefused };
  }
  if (program === 'xargs') {
    const inner = xargsProgram(words.slice(1));
    if (inner && EDITORS.has(inner)) return { allowed: false, reason: EDITOR_REASON(inner) };
  }
  return { allowed: true, notices };
}

/** The program xargs runs (`docker ps -aq | xargs docker rm -f`). */
function xargsProgram(args: string[]): string | undefined {
  const withValue = new Set(['-n', '-I', '-L', '-P', '-d', '-s', '-E', '-a']);
  let i = 0;
  while (i < args.length && args[i].startsWith('-')) i += withValue.has(args[i]) ? 2 : 1;
  return args[i];
}
