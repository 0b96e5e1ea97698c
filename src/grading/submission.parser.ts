import { dockerInvocations } from './docker-flags';

/**
 * Turns what a student submits into the list of commands to replay.
 *
 * Two forms are accepted (see docs/submission-format.md):
 * - commands as typed: one per line, `\` continuations, `#` comment lines, and lines starting with
 *   `<<<` giving the stdin of the command above them;
 * - a pasted terminal session: when the text holds at least one shell-prompt line, only prompt
 *   lines are commands; output lines are ignored, and lines typed at an inner prompt (redis-cli,
 *   psql, a container's shell) become the stdin of the interactive command that opened it.
 */

export interface ParsedCommand {
  /** 1-based line number of the command's first line in the submission. */
  line: number;
  /** The command line as the shell will read it (continuations joined). */
  text: string;
  /** Input fed to the command's stdin (each given line followed by a newline), or undefined for EOF. */
  stdin?: string;
  /** A docker command of the line asked for a pseudo-terminal (`-t`). */
  tty: boolean;
}

export interface ParsedSubmission {
  form: 'commands' | 'session';
  commands: ParsedCommand[];
}

export interface SubmissionLimits {
  maxBytes: number;
  maxCommands: number;
  maxLineLength: number;
  /** Cap of the stdin given to one command. */
  maxStdinBytes: number;
}

export const DEFAULT_SUBMISSION_LIMITS: SubmissionLimits = {
  maxBytes: 64 * 1024,
  maxCommands: 100,
  maxLineLength: 4096,
  maxStdinBytes: 16 * 1024,
};

/** A submission that cannot be replayed; `line` is 1-based when the problem has a place. */
export class SubmissionParseError extends Error {
  constructor(
    readonly reason: string,
    readonly line?: number,
  ) {
    super(line === undefined ? reason : `ligne ${line} : ${reason}`);
    this.name = 'SubmissionParseError';
  }
}

/** Prefix of a line that feeds stdin to the command above it. */
export const STDIN_MARKER = '<<<';

interface Prompt {
  /** What identifies the terminal the prompt belongs to (user@host, `$`, a container shell …). */
  key: string;
  /** A shell prompt (can start docker commands) rather than a program's own prompt. */
  shell: boolean;
  rest: string;
}

// Order matters: the most specific shapes first.
const PROMPTS: Array<{ re: RegExp; shell: boolean; key: (m: RegExpMatchArray) => string }> = [
  // user@host:~/dir$ or root@3f2a1b:/# (bash's default PS1)
  { re: /^([\w.-]+@[\w.-]+):[^\s$#]*[$#] ?(.*)$/, shell: true, key: (m) => m[1] },
  // [user@host dir]$ (Fedora / CentOS)
  { re: /^\[([\w.-]+@[\w.-]+)[^\]]*\][$#] ?(.*)$/, shell: true, key: (m) => m[1] },
  // PS C:\Users\jean> (PowerShell)
  { re: /^PS [A-Za-z]:\\[^>]*> ?(.*)$/, shell: true, key: () => 'powershell' },
  // bare $ prompt
  { re: /^\$ (.*)$/, shell: true, key: () => '$' },
  { re: /^\$$/, shell: true, key: () => '$' },
  // busybox / alpine container shell: `/ # `, `/app # `
  { re: /^(\/[^\s#]*|~[^\s#]*) # ?(.*)$/, shell: true, key: () => 'container-sh' },
  // redis-cli: 127.0.0.1:6379>
  { re: /^((?:[\w.-]+|\[[\da-f:]+\]):\d+(?:\[\d+\])?)> ?(.*)$/, shell: false, key: (m) => m[1] },
  // psql: postgres=# , postgres-#
  { re: /^([\w-]+)[=-][#>] ?(.*)$/, shell: false, key: (m) => `psql:${m[1]}` },
  // mongosh: test> , admin>
  { re: /^([a-z][\w-]*)> ?(.*)$/, shell: false, key: (m) => `mongo:${m[1]}` },
];

function matchPrompt(raw: string): Prompt | undefined {
  for (const p of PROMPTS) {
    const m = raw.match(p.re);
    if (m) return { key: p.key(m), shell: p.shell, rest: m[m.length - 1] ?? '' };
  }
  return undefined;
}

function isShellPrompt(raw: string): boolean {
  const p = matchPrompt(raw);
  return p !== undefined && p.shell;
}

/** `[y/N] y` at the end of an output line: the answer typed at a confirmation prompt. */
const CONFIRMATION = /\[y\/N\]\s*(\S.*?)\s*$/i;

export function parseSubmission(source: string, limits: Partial<SubmissionLimits> = {}): ParsedSubmission {
  const lim = { ...DEFAULT_SUBMISSION_LIMITS, ...limits };
  const bytes = Buffer.byteLength(source, 'utf8');
  if (bytes > lim.maxBytes) {
    throw new SubmissionParseError(`la soumission fait ${bytes} octets, la limite est ${lim.maxBytes}`);
  }
  if (source.includes('\0')) throw new SubmissionParseError('la soumission contient un octet nul (fichier binaire ?)');
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((l, i) => {
    if (l.length > lim.maxLineLength) {
      throw new SubmissionParseError(`ligne trop longue (${l.length} caractères, limite ${lim.maxLineLength})`, i + 1);
    }
  });
  const session = lines.some((l) => isShellPrompt(l.replace(/^\s+/, '')));
  const commands = session ? parseSession(lines) : parseTyped(lines);
  if (commands.length === 0) throw new SubmissionParseError('aucune commande trouvée');
  if (commands.length > lim.maxCommands) {
    throw new SubmissionParseError(`${commands.length} commandes, la limite est ${lim.maxCommands}`);
  }
  for (const c of commands) {
    if (c.stdin !== undefined && Buffer.byteLength(c.stdin, 'utf8') > lim.maxStdinBytes) {
      throw new SubmissionParseError(`l'entrée donnée à cette commande dépasse ${lim.maxStdinBytes} octets`, c.line);
    }
  }
  return { form: session ? 'session' : 'commands', commands };
}

class CommandBuilder {
  readonly commands: ParsedCommand[] = [];
  private stdinLines = new Map<ParsedCommand, string[]>();

  add(line: number, text: string): ParsedCommand {
    const c: ParsedCommand = { line, text, tty: false };
    this.commands.push(c);
    return c;
  }

  last(): ParsedCommand | undefined {
    return this.commands[this.commands.length - 1];
  }

  addStdin(c: ParsedCommand, input: string): void {
    const l = this.stdinLines.get(c) ?? [];
    l.push(input);
    this.stdinLines.set(c, l);
  }

  /** A `<<<` line (1-based `lineNo`): input for the command above it, in both submission forms. */
  addMarkedStdin(markedLine: string, lineNo: number): void {
    const owner = this.last();
    if (!owner)
      throw new SubmissionParseError(
        `« ${STDIN_MARKER} » donne l'entrée de la commande au-dessus, mais aucune commande ne précède`,
        lineNo,
      );
    this.addStdin(owner, stdinText(markedLine));
  }

  finish(): ParsedCommand[] {
    for (const c of this.commands) {
      const input = this.stdinLines.get(c);
      if (input) c.stdin = input.map((l) => `${l}\n`).join('');
      c.tty = dockerInvocations(c.text).some((d) => d.tty);
    }
    return this.commands;
  }
}

/** Joins a line ending with `\` with the following ones, as the shell does. Returns the text and the next index. */
function joinContinuations(lines: string[], start: number, first: string, stripPs2: boolean): [string, number] {
  let text = first;
  let i = start;
  while (endsWithContinuation(text)) {
    i += 1;
    if (i >= lines.length) {
      throw new SubmissionParseError('la ligne se termine par « \\ » mais aucune ligne ne suit', start + 1);
    }
    let next = lines[i];
    if (stripPs2) next = next.replace(/^> ?/, '');
    text = text.slice(0, -1) + next;
  }
  return [text, i + 1];
}

/** An odd number of trailing backslashes: the newline is escaped. */
function endsWithContinuation(text: string): boolean {
  const m = text.match(/\\+$/);
  return m !== null && m[0].length % 2 === 1;
}

function stdinText(trimmed: string): string {
  // `<<< set cle 42` → `set cle 42`; `<<<` alone → an empty line.
  return trimmed.slice(STDIN_MARKER.length).replace(/^ /, '');
}

function parseTyped(lines: string[]): ParsedCommand[] {
  const b = new CommandBuilder();
  let i = 0;
  while (i < lines.length) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      i += 1;
      continue;
    }
    if (trimmed.startsWith(STDIN_MARKER)) {
      b.addMarkedStdin(trimmed, i + 1);
      i += 1;
      continue;
    }
    const [text, next] = joinContinuations(lines, i, raw.trim(), false);
    b.add(i + 1, text.trim());
    i = next;
  }
  return b.finish();
}

function parseSession(lines: string[]): ParsedCommand[] {
  const b = new CommandBuilder();
  let outerKey: string | undefined;
  // The interactive command whose inner prompt lines feed its stdin, while it is open.
  let open: ParsedCommand | undefined;
  let i = 0;
  while (i < lines.length) {
    const raw = lines[i].replace(/^\s+/, '');
    if (raw.startsWith(STDIN_MARKER)) {
      b.addMarkedStdin(raw, i + 1);
      i += 1;
      continue;
    }
    const prompt = matchPrompt(raw);
    if (prompt && (prompt.shell || open)) {
      outerKey ??= prompt.shell ? prompt.key : undefined;
      const isOuter = prompt.shell && prompt.key === outerKey;
      if (!isOuter && open) {
        b.addStdin(open, prompt.rest.replace(/\s+$/, ''));
        i += 1;
        continue;
      }
      if (!prompt.shell) {
        i += 1; // a program prompt with nothing open: output, ignored
        continue;
      }
      const first = prompt.rest.trim();
      if (first === '' || first.startsWith('#')) {
        i += 1;
        continue;
      }
      const [text, next] = joinContinuations(lines, i, first, true);
      const c = b.add(i + 1, text.trim());
      open = opensInnerPrompt(c.text) ? c : undefined;
      i = next;
      continue;
    }
    // An output line. A confirmation answered on the same line (`[y/N] y`) is the last command's stdin.
    const confirmation = raw.match(CONFIRMATION);
    const last = b.last();
    if (confirmation && last) b.addStdin(last, confirmation[1]);
    i += 1;
  }
  return b.finish();
}

/** A docker command that keeps stdin open, so what follows at another prompt is typed into it. */
function opensInnerPrompt(text: string): boolean {
  return dockerInvocations(text).some((d) => d.interactive);
}
