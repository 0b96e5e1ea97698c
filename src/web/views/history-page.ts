import { formatDate, formatScore, type Status } from './format';
import { statusBadge } from './dashboard-page';
import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';

export interface HistoryRow {
  id: string;
  exerciseTitle: string;
  status: Status;
  createdAt: Date;
  score: number | null;
  maxScore: number | null;
}

/** `/submissions`: the student's submissions, newest first, a page at a time. */
export function historyPage(v: {
  user: PageUser;
  rows: HistoryRow[];
  nextCursor: string | null;
  first: boolean;
}): VNode {
  return layout({
    title: 'Mes tentatives',
    user: v.user,
    current: 'history',
    children: html`<h1>Mes tentatives</h1>
      ${
        v.rows.length === 0
          ? html`<p class="lead">
              ${v.first ? "Vous n'avez encore rien envoyé." : 'Pas de tentative plus ancienne.'}
              <a href="/">Choisir un exercice</a>.
            </p>`
          : html`<div class="table-wrap">
              <table class="history">
                <caption class="visually-hidden">
                  Vos tentatives, de la plus récente à la plus ancienne
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Date</th>
                    <th scope="col">Exercice</th>
                    <th scope="col">État</th>
                    <th scope="col">Note</th>
                  </tr>
                </thead>
                <tbody>
                  ${v.rows.map(
                    (r) =>
                      html`<tr>
                        <td><a href=${`/submissions/${r.id}`}>${formatDate(r.createdAt)}</a></td>
                        <td>${r.exerciseTitle}</td>
                        <td>${statusBadge(r.status)}</td>
                        <td>${r.score !== null && r.maxScore !== null ? formatScore(r.score, r.maxScore) : '—'}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      <nav class="pager" aria-label="Pages">
        ${v.first ? null : html`<a class="button" href="/submissions">Les plus récentes</a>`}
        ${
          v.nextCursor
            ? html`<a class="button" href=${`/submissions?cursor=${v.nextCursor}`} rel="next">Plus anciennes →</a>`
            : null
        }
      </nav>`,
  });
}
