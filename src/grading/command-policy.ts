import { analyseLine, unwrapped, type SimpleCommand } from '../submission-format/shell-line.analyzer';

/**
 * What the replay does with a submitted line. The sandbox is the security boundary (a student's
 * shell there can do nothing a student could not do on their own machine); this policy does not
 * refuse harmless shell. It keeps replays about the course and explains the few lines that cannot
 * be replayed: full-screen editors (nothing would be typed into them) and `docker compose`, which
 * the sandboxes do not have. Host habits are run as the student meant them, with a notice: `sudo`
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

const COMPOSE_REASON =
  "docker compose n'est pas disponible dans les bacs à sable de cet exercice : lancez les conteneurs avec « docker run » comme dans le cours";

const SUDO_NOTICE =
  "« sudo » est inutile ici (l'utilisateur du bac à sable a accès à docker) : la commande a été exécutée sans sudo";

export function checkCommandLine(line: string): PolicyDecision {
  const analysis = analyseLine(line);
  // What we cannot analyse is still the shell's to run: a syntax error is then the student's to read.
  if (!analysis.ok) return { allowed: true, notices: [] };
  const notices = new Set<string>();
  for (const c of analysis.commands) {
    const d = checkSimpleCommand(c);
    if (!d.allowed) return d;
    d.notices.forEach((n) => notices.add(n));
  }
  return { allowed: true, notices: [...notices] };
}

function checkSimpleCommand(c: SimpleCommand): PolicyDecision {
  const { words, sudo } = unwrapped(c.words.map((w) => w.text));
  const notices = sudo ? [SUDO_NOTICE] : [];
  const program = (words[0] ?? '').split('/').pop() ?? '';
  if (EDITORS.has(program)) return { allowed: false, reason: EDITOR_REASON(program) };
  if (program === 'docker-compose' || (program === 'docker' && words.includes('compose'))) {
    const sub = words.slice(1).find((w) => !w.startsWith('-'));
    if (program === 'docker-compose' || sub === 'compose') return { allowed: false, reason: COMPOSE_REASON };
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
