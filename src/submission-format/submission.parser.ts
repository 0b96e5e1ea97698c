import { dockerInvocations } from './docker-flags';
import { HEREDOC_START } from './shell-line.analyzer';
import { normaliseTypography, terminalText, typographyNotice } from './submission.normalizer';

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
  /** What was changed to make the text runnable (typographic characters …), in French. */
  notices: string[];
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
  // user@host:~/dir$ or root@3f2a1b:/# (bash's default PS1, WSL), with a git branch: user@host:~/p (main)$
  { re: /^([\w.-]+@[\w.-]+):[^\s$#]*(?: \([^)]*\))?[$#] ?(.*)$/, shell: true, key: (m) => m[1] },
  // [user@host dir]$ (Fedora / CentOS)
  { re: /^\[([\w.-]+@[\w.-]+)[^\]]*\][$#] ?(.*)$/, shell: true, key: (m) => m[1] },
  // macOS zsh: user@mac ~ % ; fish: user@host ~> (fish puts no space before >)
  { re: /^([\w.-]+@[\w.-]+) [^\s%]+(?: \([^)]*\))? ?% ?(.*)$/, shell: true, key: (m) => m[1] },
  { re: /^([\w.-]+@[\w.-]+) [^\s>]*(?: \([^)]*\))?> ?(.*)$/, shell: true, key: (m) => m[1] },
  // oh-my-zsh: ➜  projet git:(main) ✗
  { re: /^➜ +\S+(?: git:\([^)]*\))?(?: ✗)? +(.*)$/, shell: true, key: () => 'omz' },
  // PS C:\Users\jean> (PowerShell)
  { re: /^PS [A-Za-z]:\\[^>]*> ?(.*)$/, shell: true, key: () => 'powershell' },
  // C:\Users\jean> (Windows cmd)
  { re: /^[A-Za-z]:\\[^>]*> ?(.*)$/, shell: true, key: () => 'cmd' },
  // bare $ or % prompt (Git Bash's second line, zsh)
  { re: /^[$%] (.*)$/, shell: true, key: () => '$' },
  { re: /^[$%]$/, shell: true, key: () => '$' },
  // busybox / alpine container shell: `/ # `, `/app # `
  { re: /^(\/[^\s#]*|~[^\s#]*) # ?(.*)$/, shell: true, key: () => 'container-sh' },
  // redis-cli: 127.0.0.1:6379>
  { re: /^((?:[\w.-]+|\[[\da-f:]+\]):\d+(?:\[\d+\])?)> ?(.*)$/, shell: false, key: (m) => m[1] },
  // psql: postgres=# , postgres-#
  { re: /^([\w-]+)[=-][#>] ?(.*)$/, shell: false, key: (m) => `psql:${m[1]}` },
  // mongosh: test> , admin>
  { re: /^([a-z][\w-]*)> ?(.*)$/, shell: false, key: (m) => `mongo:${m[1]}` },
];

/** A Python venv or conda environment shown before the prompt: `(venv) `, `(base) `. */
const ENV_PREFIX = /^\([\w.-]+\) +/;

function matchPrompt(line: string): Prompt | undefined {
  const raw = line.replace(ENV_PREFIX, '');
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
  const lines = source
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map(terminalText);
  lines.forEach((l, i) => {
    if (l.length > lim.maxLineLength) {
      throw new SubmissionParseError(`ligne trop longue (${l.length} caractères, limite ${lim.maxLineLength})`, i + 1);
    }
  });
  const session = lines.some((l) => isShellPrompt(l.replace(/^\s+/, '')));
  const typography = new Set<string>();
  const commands = session ? parseSession(lines, typography) : parseTyped(lines, typography);
  if (commands.length === 0) throw new SubmissionParseError('aucune commande trouvée');
  if (commands.length > lim.maxCommands) {
    throw new SubmissionParseError(`${commands.length} commandes, la limite est ${lim.maxCommands}`);
  }
  for (const c of commands) {
    if (c.stdin !== undefined && Buffer.byteLength(c.stdin, 'utf8') > lim.maxStdinBytes) {
      throw new SubmissionParseError(`l'entrée donnée à cette commande dépasse ${lim.maxStdinBytes} octets`, c.line);
    }
  }
  const notice = typographyNotice(typography);
  return { form: session ? 'session' : 'commands', commands, notices: notice ? [notice] : [] };
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

/**
 * Reads one command starting at `lines[start]` (its text `first`, prompt already removed): lines
 * ending with `\` are joined as the shell joins them; a here-document's body, up to its delimiter,
 * and the rest of an unfinished `for`/`while`/`if`/`{ }`/quote are taken as they are, newline
 * included. In a pasted session (`ps2`) those lines carry bash's `> ` prompt, removed. Command
 * lines (not here-document bodies) get their typographic characters replaced. Returns the text
 * and the next index.
 */
function collectCommand(
  lines: string[],
  start: number,
  first: string,
  ps2: boolean,
  typography: Set<string>,
): [string, number] {
  const normalise = (line: string): string => {
    const n = normaliseTypography(line);
    n.replaced.forEach((k) => typography.add(k));
    return n.text;
  };
  const next = (i: number, why: string): string => {
    if (i >= lines.length) throw new SubmissionParseError(why, start + 1);
    return ps2 ? lines[i].replace(/^> ?/, '') : lines[i];
  };
  let i = start;
  let text = normalise(first);
  for (;;) {
    while (endsWithContinuation(text)) {
      i += 1;
      text = text.slice(0, -1) + normalise(next(i, 'la ligne se termine par « \\ » mais aucune ligne ne suit'));
    }
    const lastLine = text.slice(text.lastIndexOf('\n') + 1);
    for (const d of hereDocDelimiters(lastLine)) {
      for (;;) {
        i += 1;
        const body = next(
          i,
          `le here-document n'est jamais terminé : ajoutez une ligne « ${d.word} » après son contenu`,
        );
        text += `\n${body}`;
        if ((d.tabs ? body.replace(/^\t+/, '') : body).trim() === d.word) {
          if (body !== d.word && !d.tabs) text = text.slice(0, -body.length) + d.word; // `  FIN` or `FIN\r`: as meant
          break;
        }
      }
    }
    if (!unfinished(text)) return [text, i + 1];
    i += 1;
    text += `\n${normalise(next(i, 'la commande est incomplète (guillemet, « do … done », « if … fi » ou « { } » non fermé) et aucune ligne ne suit'))}`;
  }
}

/** The here-documents a command line opens (`<<EOF`, `<<-'FIN'`), in order; `<<<` is a here-string. */
function hereDocDelimiters(line: string): Array<{ word: string; tabs: boolean }> {
  // A here-string `<<<` and a shift inside arithmetic `$(( 1 << 2 ))` open no here-document.
  const outside = line.replace(/<<</g, '   ').replace(/\$\(\([^)]*\)\)/g, (a) => ' '.repeat(a.length));
  return [...outside.matchAll(HEREDOC_START)]
    .filter((m) => !isQuoted(outside, m.index ?? 0))
    .map((m) => ({ word: m[2] ?? m[3] ?? m[4], tabs: m[1] === '-' }));
}

/** Whether position `at` of `line` is inside quotes. */
function isQuoted(line: string, at: number): boolean {
  let quote: string | undefined;
  for (let i = 0; i < at; i++) {
    const c = line[i];
    if (c === '\\' && quote !== "'") i += 1;
    else if (quote === undefined && (c === "'" || c === '"')) quote = c;
    else if (c === quote) quote = undefined;
  }
  return quote !== undefined;
}

const OPENERS: Record<string, string> = {
  for: 'done',
  while: 'done',
  until: 'done',
  select: 'done',
  if: 'fi',
  case: 'esac',
  '{': '}',
};
const CLOSERS = new Set(Object.values(OPENERS));

/**
 * The shell would wait for more: an open quote, a compound command not closed, or a line ending
 * with `|`, `&&` or `||`. Here-document bodies are not looked at.
 */
function unfinished(text: string): boolean {
  let quote: string | undefined;
  let words = '';
  const lines = text.split('\n');
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li];
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quote) {
        if (c === '\\' && quote === '"') i += 1;
        else if (c === quote) quote = undefined;
        continue;
      }
      if (c === '\\') {
        i += 1;
        continue;
      }
      if (c === "'" || c === '"') {
        quote = c;
        words += ' _ ';
        continue;
      }
      if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) break;
      words += c;
    }
    words += quote ? '' : ' ; ';
    if (!quote) {
      for (const d of hereDocDelimiters(line)) {
        // skip the body: up to the delimiter line
        while (li + 1 < lines.length) {
          li += 1;
          if ((d.tabs ? lines[li].replace(/^\t+/, '') : lines[li]).trim() === d.word) break;
        }
      }
    }
  }
  if (quote) return true;
  let depth = 0;
  let atStart = true;
  for (const token of words.split(/(\s+|;|&&|\|\||\||&|\(|\))/)) {
    if (!token || /^\s+$/.test(token)) continue;
    if ([';', '&&', '||', '|', '&', '(', ')'].includes(token)) {
      atStart = true;
      continue;
    }
    if (atStart && token in OPENERS) depth += 1;
    else if (atStart && CLOSERS.has(token)) depth -= 1;
    atStart =
      ['then', 'do', 'else', 'elif', '{', '!', 'time'].includes(token) ||
      (atStart && token in OPENERS && token !== 'for' && token !== 'case' && token !== 'select');
  }
  if (depth > 0) return true;
  return /(?:\|\||&&|\|)\s*$/.test(words.replace(/[\s;]+$/, ''));
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

/** Docker Desktop's advice after some commands (`What's next:` and its indented lines): output, not commands. */
const WHATS_NEXT = /^What's next\??:?\s*$/i;

function parseTyped(lines: string[], typography: Set<string>): ParsedCommand[] {
  const b = new CommandBuilder();
  let i = 0;
  while (i < lines.length) {
    const raw = lines[i];
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      i += 1;
      continue;
    }
    if (WHATS_NEXT.test(trimmed)) {
      i += 1;
      while (i < lines.length && /^\s+\S/.test(lines[i])) i += 1;
      continue;
    }
    if (trimmed.startsWith(STDIN_MARKER)) {
      b.addMarkedStdin(trimmed, i + 1);
      i += 1;
      continue;
    }
    const [text, next] = collectCommand(lines, i, raw.trim(), false, typography);
    b.add(i + 1, text.trim());
    i = next;
  }
  return b.finish();
}

function parseSession(lines: string[], typography: Set<string>): ParsedCommand[] {
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
      const [text, next] = collectCommand(lines, i, first, true, typography);
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
