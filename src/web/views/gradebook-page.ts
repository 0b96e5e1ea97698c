import type { Gradebook, GradebookCell, GradebookRow } from '../../courses/gradebook.service';
import { formatInZone } from '../../courses/time-zone';
import { formatPoints } from './format';
import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';

export interface GradebookQuery {
  group?: string;
  /** name, group, total, or an assignment id. */
  sort: string;
  dir: 'asc' | 'desc';
}

/** Colour class of a cell: five steps from nothing earned to full marks. */
export function scoreClass(counted: number | null, max: number): string {
  if (counted === null) return 'gb-none';
  const ratio = max > 0 ? counted / max : 0;
  if (ratio >= 1) return 'gb-s4';
  if (ratio >= 0.75) return 'gb-s3';
  if (ratio >= 0.5) return 'gb-s2';
  if (ratio > 0) return 'gb-s1';
  return 'gb-s0';
}

/** Rows filtered by group and sorted; stable on name so equal keys keep alphabetical order. */
export function arrangeRows(book: Gradebook, q: GradebookQuery): GradebookRow[] {
  const rows = q.group === undefined ? book.rows.slice() : book.rows.filter((r) => r.group === q.group);
  const key = (r: GradebookRow): string | number =>
    q.sort === 'group'
      ? r.group
      : q.sort === 'total'
        ? r.total
        : q.sort in r.cells
          ? (r.cells[q.sort].counted ?? -1)
          : r.name;
  const sign = q.dir === 'desc' ? -1 : 1;
  return rows.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), 'fr');
    return c !== 0 ? sign * c : a.name.localeCompare(b.name, 'fr');
  });
}

/**
 * One cell, kept short because a course has thousands (300 × 20 = 6,000 in bench:reports): the
 * score as the link, the attempts, and marks only when something is unusual. What the marks mean is
 * said once, in the legend the table points to (aria-describedby), not in a title per cell; with
 * one title per mark and a class per span the page weighed 2.8 MB and took 100–130 ms to render.
 */
function cellView(base: string, assignmentId: string, max: number, userId: string, cell: GradebookCell): VNode {
  if (cell.attempts === 0) return html`<td class="gb-none">—</td>`;
  const marks: string[] = [];
  if (cell.late) marks.push('retard');
  if (cell.practice) marks.push(`${cell.practice} entr.`);
  if (cell.errors) marks.push(`${cell.errors} err.`);
  if (cell.pending) marks.push(`${cell.pending} en cours`);
  return html`<td class=${scoreClass(cell.counted, max)}>
    <a href=${`${base}/${assignmentId}/${userId}`}
      >${cell.counted === null ? '—' : formatPoints(round2(cell.counted))}</a
    >
    ${' '}<small>${cell.attempts} tent.</small>${marks.length ? html`<b>${marks.join(' · ')}</b>` : null}
  </td>`;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** `/courses/{code}/gradebook`: students × assignments, counted points per cell, totals, CSV download. */
export function gradebookPage(v: { user: PageUser; book: Gradebook; query: GradebookQuery }): VNode {
  const { book, query } = v;
  const code = book.course.code;
  const groups = [...new Set(book.rows.map((r) => r.group))].sort((a, b) => a.localeCompare(b, 'fr'));
  const rows = arrangeRows(book, query);
  const link = (sort: string) => {
    const dir = query.sort === sort && query.dir === 'asc' ? 'desc' : 'asc';
    const p = new URLSearchParams({ sort, dir });
    if (query.group !== undefined) p.set('group', query.group);
    return `/courses/${code}/gradebook?${p.toString()}`;
  };
  const ariaSort = (sort: string) =>
    query.sort === sort ? (query.dir === 'asc' ? 'ascending' : 'descending') : undefined;
  const th = (sort: string, label: VNode | string) =>
    html`<th scope="col" aria-sort=${ariaSort(sort)}><a href=${link(sort)}>${label}</a></th>`;
  const cellBase = `/courses/${code}/gradebook`;
  const totalMean = rows.length ? rows.reduce((t, r) => t + r.total, 0) / rows.length : null;
  return layout({
    title: `Carnet de notes · ${book.course.title}`,
    user: v.user,
    current: 'courses',
    children: html`<nav class="breadcrumb" aria-label="Fil d'Ariane">
        <a href="/courses">Cours</a>${' '}<span aria-hidden="true">›</span>${' '}
        <a href=${`/courses/${code}`}>${book.course.title}</a>
      </nav>
      <h1>Carnet de notes</h1>
      <div class="gb-toolbar">
        <form method="get" action=${`/courses/${code}/gradebook`} class="inline-form gb-filter">
          <label for="f-group">Groupe</label>
          <select id="f-group" name="group">
            <option value="" selected=${query.group === undefined}>Tous</option>
            ${groups.map((g) => html`<option value=${`=${g}`} selected=${query.group === g}>${g || '(sans groupe)'}</option>`)}
          </select>
          <input type="hidden" name="sort" value=${query.sort} />
          <input type="hidden" name="dir" value=${query.dir} />
          <button type="submit" class="button">Filtrer</button>
        </form>
        <p class="gb-downloads">
          Télécharger : <a href=${`/api/courses/${code}/gradebook.csv`} download>CSV</a> ·${' '}
          <a href=${`/api/courses/${code}/gradebook.csv?sep=%3B`} download>CSV pour Excel (;)</a>
        </p>
      </div>
      <dl class="gb-legend small" id="gb-legend">
        <dt>Case</dt>
        <dd>
          points retenus (meilleure ou dernière tentative selon le devoir, pénalité de retard appliquée), puis le nombre
          de tentatives ; cliquez les points pour voir les tentatives. ${'«\u00a0—\u00a0»\u00a0:'} aucune tentative.
        </dd>
        <dt>retard</dt>
        <dd>note comptée avec la pénalité de retard</dd>
        <dt>entr.</dt>
        <dd>tentatives d'entraînement (hors délai ou au-delà de la limite), comptées 0</dd>
        <dt>err.</dt>
        <dd>correction en erreur (problème du service, pas de l'étudiant)</dd>
        <dt>en cours</dt>
        <dd>tentatives en attente de correction</dd>
        <dt>Couleur</dt>
        <dd>
          <span class="gb-s0">0</span> <span class="gb-s1">moins de la moitié</span>
          <span class="gb-s2">la moitié ou plus</span> <span class="gb-s3">les trois quarts ou plus</span>
          <span class="gb-s4">tous les points</span>
        </dd>
      </dl>
      ${
        book.assignments.length === 0
          ? html`<p class="lead">
              Aucun devoir : créez-en un depuis la <a href=${`/courses/${code}`}>page du cours</a>.
            </p>`
          : html`<div class="table-wrap gb-wrap" tabindex="0" role="region" aria-label="Carnet de notes">
              <table class="gb-table" data-testid="gradebook" aria-describedby="gb-legend">
                <caption class="visually-hidden">
                  Notes par étudiant et par devoir
                </caption>
                <thead>
                  <tr>
                    ${th('name', 'Étudiant')} ${th('group', 'Groupe')}
                    ${book.assignments.map((a) =>
                      th(
                        a.id,
                        html`${a.title}<br /><span class="small"
                            >/ ${formatPoints(a.maxPoints)} · ${formatInZone(a.dueAt, book.course.timeZone)}</span
                          >`,
                      ),
                    )}
                    ${th('total', html`Total<br /><span class="small">/ ${formatPoints(book.maxTotal)}</span>`)}
                  </tr>
                </thead>
                <tbody>
                  ${rows.map(
                    (r) =>
                      html`<tr data-student=${r.email}>
                        <th scope="row" class="gb-student">
                          ${r.name}<br /><span class="small muted">${r.email}</span>
                        </th>
                        <td>${r.group || '—'}</td>
                        ${book.assignments.map((a) => cellView(cellBase, a.id, a.maxPoints, r.userId, r.cells[a.id]))}
                        <td class="gb-total" data-total=${String(round2(r.total))}>${formatPoints(round2(r.total))}</td>
                      </tr>`,
                  )}
                </tbody>
                <tfoot>
                  <tr>
                    <th scope="row">Moyenne</th>
                    <td></td>
                    ${book.assignments.map((a) => {
                      const vals = rows.map((r) => r.cells[a.id].counted).filter((x): x is number => x !== null);
                      return html`<td>
                        ${vals.length ? formatPoints(round2(vals.reduce((t, x) => t + x, 0) / vals.length)) : '—'}<br /><span
                          class="small muted"
                          >${vals.length} noté(s)</span
                        >
                        <br /><a class="small" href=${`/courses/${code}/assignments/${a.id}/report`}
                          >Rapport<span class="visually-hidden"> : ${a.title}</span></a
                        >
                      </td>`;
                    })}
                    <td>${totalMean === null ? '—' : formatPoints(round2(totalMean))}</td>
                  </tr>
                </tfoot>
              </table>
            </div>`
      }`,
  });
}
