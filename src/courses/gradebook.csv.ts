import { stringify } from 'csv-stringify/sync';
import type { Gradebook } from './gradebook.service';

export interface CsvOptions {
  /** `,` (default) or `;` for French Excel, which then also reads decimal commas. */
  sep: ',' | ';';
}

/** Excel only takes a CSV file as UTF-8 (accents) when it starts with a byte-order mark. */
const BOM = '\uFEFF';

/** Points with at most two decimals, the decimal mark matching the separator. */
export function formatPoints(points: number | null, sep: ',' | ';'): string {
  if (points === null) return '';
  const text = String(Math.round(points * 100) / 100);
  return sep === ';' ? text.replace('.', ',') : text;
}

/**
 * csv-stringify with `escape_formulas`: a cell starting with = + - @ (tab, CR) is prefixed with a
 * quote, so a student named `=HYPERLINK(...)` stays text in a spreadsheet.
 */
export function toCsv(rows: string[][], { sep }: CsvOptions): string {
  return BOM + stringify(rows, { delimiter: sep, escape_formulas: true, record_delimiter: 'windows' });
}

/** One row per enrolled student: email, name, group, one column per assignment (its slug), total. */
export function gradebookCsv(book: Gradebook, options: CsvOptions): string {
  const header = ['email', 'name', 'group', ...book.assignments.map((a) => a.exercise), 'total'];
  const rows = book.rows.map((r) => [
    r.email,
    r.name,
    r.group,
    ...book.assignments.map((a) => formatPoints(r.cells[a.id].counted, options.sep)),
    formatPoints(r.total, options.sep),
  ]);
  return toCsv([header, ...rows], options);
}

export interface CheckMatrix {
  exercise: string;
  checks: { id: string; title: string }[];
  rows: { email: string; name: string; group: string; score: number | null; passed: Record<string, boolean> | null }[];
}

/** One assignment, per check: 1 passed, 0 failed, empty when the student has no counted submission. */
export function checksCsv(matrix: CheckMatrix, options: CsvOptions): string {
  const header = ['email', 'name', 'group', ...matrix.checks.map((c) => c.id), 'score'];
  const rows = matrix.rows.map((r) => [
    r.email,
    r.name,
    r.group,
    ...matrix.checks.map((c) => (r.passed && c.id in r.passed ? (r.passed[c.id] ? '1' : '0') : '')),
    formatPoints(r.score, options.sep),
  ]);
  return toCsv([header, ...rows], options);
}
