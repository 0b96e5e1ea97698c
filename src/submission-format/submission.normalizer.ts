/**
 * What a copy-paste does to a command before it reaches us: terminal colours and redraws (`\r`),
 * and, from a word processor or a chat, non-breaking spaces, curly quotes and long dashes where the
 * shell needs plain ones. The terminal-level clean-up is silent (the student saw plain text); the
 * typographic one is said in a notice, since the student's text is changed.
 */

/** Colours, cursor moves, window titles: what a terminal interprets and never shows. */
// eslint-disable-next-line no-control-regex -- terminal escape sequences are the point
const ESCAPES = /\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>78]/g;

/** A line as the terminal showed it: escapes removed, what was redrawn after a `\r` kept. */
export function terminalText(line: string): string {
  const plain = line.replace(ESCAPES, '').replace(/\r+$/, '');
  const cr = plain.lastIndexOf('\r');
  return cr >= 0 ? plain.slice(cr + 1) : plain;
}

const SPACES = /[\u00a0\u2007\u202f\u2009]/g;
const SINGLE_QUOTES = /[\u2018\u2019\u201a\u2032]/g;
const DOUBLE_QUOTES = /[\u201c\u201d\u201e\u2033]/g;
/** A dash before a single option letter was a `-` (`–d`); before a word it was `--` (`–name`, autocorrected). */
const DASH_SHORT = /(^|\s)[\u2013\u2014\u2212]([A-Za-z0-9])(?=[\s=]|$)/g;
const DASH_LONG = /(^|\s)[\u2013\u2014]([A-Za-z])/g;
const MINUS = /\u2212/g;

export interface Normalised {
  text: string;
  /** Which kinds of characters were replaced (for the notice). */
  replaced: Set<'espaces insécables' | 'guillemets typographiques' | 'tirets longs'>;
}

/** Replaces typographic characters in a command line (not in data such as a here-document's body). */
export function normaliseTypography(line: string): Normalised {
  const replaced: Normalised['replaced'] = new Set();
  let text = line;
  const spaced = text.replace(SPACES, ' ');
  if (spaced !== text) replaced.add('espaces insécables');
  const quoted = spaced.replace(SINGLE_QUOTES, "'").replace(DOUBLE_QUOTES, '"');
  if (quoted !== spaced) replaced.add('guillemets typographiques');
  text = quoted;
  const dashed = text.replace(DASH_SHORT, '$1-$2').replace(DASH_LONG, '$1--$2').replace(MINUS, '-');
  if (dashed !== text) {
    replaced.add('tirets longs');
    text = dashed;
  }
  return { text, replaced };
}

export function typographyNotice(kinds: Set<string>): string | undefined {
  if (kinds.size === 0) return undefined;
  return (
    `La soumission contenait des caractères de traitement de texte (${[...kinds].join(', ')}) que le terminal ` +
    `ne comprend pas : ils ont été remplacés par leurs équivalents (espace, ' ou ", - ou --). ` +
    'Copiez vos commandes depuis le terminal ou un éditeur de texte brut.'
  );
}
