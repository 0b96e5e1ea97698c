import { parse, type ParseEntry } from 'shell-quote';

/**
 * Splits one shell command line into the simple commands it would run, including those inside
 * `$(…)` and backticks, loops and conditionals, so that the policy and the docker-flag reader can
 * look at every program a line invokes. A line may span several lines (here-documents, loops): the
 * bodies of here-documents are data, not commands, and are left out.
 *
 * shell-quote alone does not see command substitutions inside double quotes (`"$(rm -rf /)"` is one
 * string to it), so substitutions are cut out first by a small quote-aware scanner and analysed
 * recursively; what cannot be analysed safely is reported as unanalysable rather than guessed.
 */

/** A word of a simple command: literal text, or something only known when the shell runs. */
export type Word = { text: string; dynamic: boolean };

export interface SimpleCommand {
  /** Words after leading assignments and without redirections; words[0] is the program. */
  words: Word[];
  /** `NAME=value` assignments before the program. */
  assignments: string[];
}

export type LineAnalysis = { ok: true; commands: SimpleCommand[] } | { ok: false; reason: string };

const SUB = '\uE000SUB';
const SUB_RE = /\uE000SUB(\d+)\uE000/;

/** Operators that separate simple commands. */
const SEPARATORS = new Set(['|', '||', '&&', ';', ';;', '(', ')', '|&', '&']);
/** Redirections: the next word is a file, a descriptor, a here-document's delimiter or a here-string. */
const REDIRECTIONS = new Set(['>', '>>', '<', '>&', '<&', '>|', '<>', '<<', '<<-', '<<<']);
/** Reserved words that come before a command (`then docker ps`, `! grep …`) or close a compound one. */
const LEADING_KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'while', 'until', 'do', '!', '{', 'time']);
const CLOSING_KEYWORDS = new Set(['done', 'fi', 'esac', '}']);

/** A here-document operator and its delimiter, quoted or not: `<<EOF`, `<<-'FIN'`, `<< "END"`. */
export const HEREDOC_START = /<<(-?)[ \t]*(?:'([^'\n]+)'|"([^"\n]+)"|\\?([A-Za-z0-9_.-]+))/g;

/** The command text of a (possibly multi-line) line, without the bodies of its here-documents. */
export function withoutHereDocBodies(text: string): string {
  const lines = text.split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    kept.push(lines[i]);
    const delimiters = [
      ...lines[i]
        .replace(/<<</g, '')
        .replace(/\$\(\([^)]*\)\)/g, '')
        .matchAll(HEREDOC_START),
    ].map((m) => ({
      word: m[2] ?? m[3] ?? m[4],
      tabs: m[1] === '-',
    }));
    for (const d of delimiters) {
      i += 1;
      while (i < lines.length && (d.tabs ? lines[i].replace(/^\t+/, '') : lines[i]) !== d.word) i += 1;
    }
  }
  return kept.join('\n');
}

export function analyseLine(line: string, depth = 0): LineAnalysis {
  if (depth > 4) return { ok: false, reason: 'substitutions de commandes trop imbriquées' };
  if (depth === 0 && line.includes('\n')) {
    // One physical line at a time (a `#` comment ends at its line), else as one (a quote spanning lines).
    const lines = withoutHereDocBodies(line).split('\n');
    const parts = lines.map((l) => analyseLine(l, 1));
    if (parts.every((p) => p.ok)) return { ok: true, commands: parts.flatMap((p) => (p.ok ? p.commands : [])) };
    return analyseLine(lines.join(' ; '), 1);
  }
  const cut = cutSubstitutions(line);
  if (!cut.ok) return cut;
  const commands: SimpleCommand[] = [];
  for (const inner of cut.substitutions) {
    const a = analyseLine(inner, depth + 1);
    if (!a.ok) return a;
    commands.push(...a.commands);
  }
  let entries: ParseEntry[];
  try {
    // Variables stay variables: a function keeps `$NAME` from being expanded to ''.
    entries = parse(cut.text, (name) => `\uE000VAR${name}\uE000`);
  } catch (error) {
    return { ok: false, reason: `ligne illisible pour le shell (${(error as Error).message})` };
  }
  let current: SimpleCommand = { words: [], assignments: [] };
  /** Inside `for NAME in …` or `case WORD in`: words up to the next separator are not a command. */
  let skipping = false;
  const flush = () => {
    skipping = false;
    if (current.words.length > 0) commands.push(current);
    else if (current.assignments.length > 0) commands.push(current);
    current = { words: [], assignments: [] };
  };
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (typeof e === 'string') {
      if (skipping) continue;
      if (current.words.length === 0 && current.assignments.length === 0) {
        if (LEADING_KEYWORDS.has(e) || CLOSING_KEYWORDS.has(e)) continue;
        if (e === 'for' || e === 'case' || e === 'select') {
          skipping = true;
          continue;
        }
        if (e === 'function') continue;
      }
      const dynamic = e.includes('\uE000');
      const text = e.replace(/\uE000VAR([^\uE000]*)\uE000/g, '$$$1').replace(new RegExp(SUB_RE.source, 'g'), '$$(…)');
      if (current.words.length === 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(e)) current.assignments.push(text);
      else current.words.push({ text, dynamic });
      continue;
    }
    if ('comment' in e) break;
    if ('pattern' in e) {
      current.words.push({ text: e.pattern, dynamic: true });
      continue;
    }
    const op = e.op;
    if (SEPARATORS.has(op)) {
      flush();
      continue;
    }
    if (REDIRECTIONS.has(op)) {
      i += 1; // the target
      continue;
    }
    if (op === '<(' || op === '>(')
      return { ok: false, reason: 'les substitutions de processus ne sont pas prises en charge' };
    return { ok: false, reason: `opérateur « ${op} » non pris en charge` };
  }
  flush();
  return { ok: true, commands };
}

type Cut = { ok: true; text: string; substitutions: string[] } | { ok: false; reason: string };

/** Replaces each `$(…)` and `…` by a placeholder, returning their contents. */
function cutSubstitutions(line: string): Cut {
  const substitutions: string[] = [];
  let out = '';
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      out += c;
      if (c === "'") quote = undefined;
      continue;
    }
    if (c === '\\') {
      out += c + (line[i + 1] ?? '');
      i += 1;
      continue;
    }
    if (c === "'" && quote === undefined) {
      quote = "'";
      out += c;
      continue;
    }
    if (c === '"') {
      quote = quote === '"' ? undefined : '"';
      out += c;
      continue;
    }
    if (c === '$' && line[i + 1] === '(') {
      if (line[i + 2] === '(') {
        // Arithmetic `$(( … ))`: a value, not a command (a `$( )` inside it is still looked at).
        const end = matchingParen(line, i + 2);
        if (end < 0) return { ok: false, reason: 'parenthèse de « $(( » non fermée' };
        const inner = line.slice(i + 3, end - 1);
        for (const m of inner.matchAll(/\$\(([^()]*)\)/g)) substitutions.push(m[1]);
        out += `${SUB}${substitutions.length}\uE000`;
        substitutions.push('true');
        i = end;
        continue;
      }
      const end = matchingParen(line, i + 2);
      if (end < 0) return { ok: false, reason: 'parenthèse de « $( » non fermée' };
      out += `${SUB}${substitutions.length}\uE000`;
      substitutions.push(line.slice(i + 2, end));
      i = end;
      continue;
    }
    if (c === '`') {
      let end = i + 1;
      while (end < line.length && line[end] !== '`') end += line[end] === '\\' ? 2 : 1;
      if (end >= line.length) return { ok: false, reason: 'accent grave « ` » non fermé' };
      out += `${SUB}${substitutions.length}\uE000`;
      substitutions.push(line.slice(i + 1, end).replace(/\\([`\\$])/g, '$1'));
      i = end;
      continue;
    }
    out += c;
  }
  if (quote) return { ok: false, reason: `guillemet ${quote} non fermé` };
  return { ok: true, text: out, substitutions };
}

/** Index of the `)` closing a `$(` whose content starts at `start`, aware of quotes and nesting. */
function matchingParen(line: string, start: number): number {
  let depth = 1;
  let quote: '"' | "'" | undefined;
  for (let i = start; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = undefined;
      continue;
    }
    if (c === '\\') {
      i += 1;
      continue;
    }
    if (c === '"' || c === "'") {
      if (quote === c) quote = undefined;
      else if (quote === undefined) quote = c;
      continue;
    }
    if (quote) {
      if (c === '$' && line[i + 1] === '(') {
        const end = matchingParen(line, i + 2);
        if (end < 0) return -1;
        i = end;
      }
      continue;
    }
    if (c === '(') depth += 1;
    if (c === ')') {
      depth -= 1;
      if (depth === 0) return i;
    }
  }
  return -1;
}

/** The program of a simple command once host wrappers (`sudo -E`, `winpty`) are set aside. */
export function unwrapped(words: string[]): { words: string[]; sudo: boolean } {
  let i = 0;
  let sudo = false;
  for (;;) {
    if (words[i] === 'winpty') i += 1;
    else if (words[i] === 'sudo') {
      sudo = true;
      i += 1;
      while (i < words.length && words[i].startsWith('-'))
        i += ['-u', '-g', '-h', '-p', '-C'].includes(words[i]) ? 2 : 1;
    } else break;
  }
  return { words: words.slice(i), sudo };
}
