import { parse, type ParseEntry } from 'shell-quote';

/**
 * Splits one shell command line into the simple commands it would run, including those inside
 * `$(…)` and backticks, so that a policy can look at every program a line invokes.
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
const SEPARATORS = new Set(['|', '||', '&&', ';', '(', ')', '|&']);
/** Redirections: the next word is a file or descriptor, not an argument. */
const REDIRECTIONS = new Set(['>', '>>', '<', '>&', '<&', '>|', '<>']);

export function analyseLine(line: string, depth = 0): LineAnalysis {
  if (depth > 4) return { ok: false, reason: 'substitutions de commandes trop imbriquées' };
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
  const flush = () => {
    if (current.words.length > 0) commands.push(current);
    else if (current.assignments.length > 0) commands.push(current);
    current = { words: [], assignments: [] };
  };
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    if (typeof e === 'string') {
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
    switch (op) {
      case '&':
        return {
          ok: false,
          reason: "le lancement en arrière-plan (« & ») n'est pas pris en charge : utilisez plutôt « docker run -d »",
        };
      case '<<':
      case '<<-':
        return {
          ok: false,
          reason: 'les here-documents (« << ») ne sont pas pris en charge : joignez le fichier à la soumission',
        };
      case '<<<':
        return {
          ok: false,
          reason:
            "« <<< » au milieu d'une ligne n'est pas pris en charge : donnez l'entrée sur des lignes « <<< » sous la commande",
        };
      case '<(':
      case '>(':
        return { ok: false, reason: 'les substitutions de processus ne sont pas prises en charge' };
      default:
        return { ok: false, reason: `opérateur « ${op} » non pris en charge` };
    }
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
      if (line[i + 2] === '(')
        return { ok: false, reason: "l'arithmétique du shell « $(( )) » n'est pas prise en charge" };
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
