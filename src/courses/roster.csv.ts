import { parse } from 'csv-parse/sync';
import { z } from 'zod';

/** One valid roster line. */
export interface RosterLine {
  /** Line number in the file (the header is line 1). */
  line: number;
  email: string;
  name: string;
  group: string;
}

export interface RosterError {
  line: number;
  message: string;
}

export interface ParsedRoster {
  lines: RosterLine[];
  errors: RosterError[];
}

/** Column names accepted in the header (English as documented, French as teachers may type them). */
const HEADER_ALIASES: Record<string, 'email' | 'name' | 'group'> = {
  email: 'email',
  'e-mail': 'email',
  courriel: 'email',
  mail: 'email',
  name: 'name',
  nom: 'name',
  group: 'group',
  groupe: 'group',
};

export const MAX_ROSTER_LINES = 5000;
const emailSchema = z.email();

/**
 * Parses a roster CSV (header `email,name,group`; `;` also accepted, as French Excel writes it).
 * Each bad line is reported with its number and a French message and the others kept; a file that
 * cannot be read as CSV at all, or whose header is wrong, is one error on its line.
 */
export function parseRoster(text: string): ParsedRoster {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.includes(';') && !firstLine.includes(',') ? ';' : ',';
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      to: MAX_ROSTER_LINES + 1,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (err) {
    const line = (err as { lines?: number }).lines ?? 1;
    return {
      lines: [],
      errors: [{ line, message: `fichier CSV illisible près de la ligne ${line} (guillemets mal fermés ?)` }],
    };
  }
  if (records.length === 0)
    return { lines: [], errors: [{ line: 1, message: 'fichier vide : en-tête email,name,group attendu' }] };
  const header = records[0].record.map((h) => HEADER_ALIASES[h.toLowerCase()]);
  const col = (name: 'email' | 'name' | 'group') => header.indexOf(name);
  if (col('email') < 0 || col('name') < 0) {
    return { lines: [], errors: [{ line: records[0].info.lines, message: 'en-tête attendu : email,name,group' }] };
  }
  const lines: RosterLine[] = [];
  const errors: RosterError[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records.slice(1)) {
    const line = info.lines;
    const cell = (name: 'email' | 'name' | 'group') => (col(name) >= 0 ? (record[col(name)] ?? '') : '');
    const email = cell('email').toLowerCase();
    const name = cell('name');
    const group = cell('group');
    const problem = lineProblem(email, name, group, seen.get(email));
    if (problem) errors.push({ line, message: problem });
    else {
      seen.set(email, line);
      lines.push({ line, email, name, group });
    }
  }
  if (records.length > MAX_ROSTER_LINES) {
    errors.push({
      line: records[records.length - 1].info.lines,
      message: `plus de ${MAX_ROSTER_LINES} lignes : la suite est ignorée`,
    });
  }
  return { lines, errors };
}

const CONTROL = /\p{Cc}/u;

function lineProblem(email: string, name: string, group: string, seenAt: number | undefined): string | undefined {
  if (!email) return 'adresse e-mail manquante';
  if (email.length > 320 || !emailSchema.safeParse(email).success)
    return `adresse e-mail invalide : « ${email.slice(0, 80)} »`;
  if (seenAt !== undefined) return `adresse e-mail en double (déjà à la ligne ${seenAt})`;
  if (!name) return 'nom manquant';
  if (name.length > 200 || CONTROL.test(name))
    return 'nom invalide (200 caractères au plus, sans caractère de contrôle)';
  if (group.length > 100 || CONTROL.test(group))
    return 'groupe invalide (100 caractères au plus, sans caractère de contrôle)';
  return undefined;
}
