import type { RegradeItemView, RegradeRunView } from '../../regrades/regrade-runs.service';
import type { CheckChange } from '../../regrades/result-diff';
import { formatDate, formatPoints, formatScore } from './format';
import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';

export interface RegradePageView {
  user: PageUser;
  run: RegradeRunView;
}

function selectorText(run: RegradeRunView): string {
  const s = run.selector;
  switch (s.kind) {
    case 'submission':
      return 'une soumission';
    case 'exercise':
      return `toutes les soumissions de l'exercice « ${s.slug} »`;
    case 'submissions':
      return `${s.ids.length} soumission${s.ids.length > 1 ? 's' : ''} choisie${s.ids.length > 1 ? 's' : ''}`;
  }
}

const VERSION_TEXT = {
  current: "la version actuelle de l'exercice",
  original: "la version d'origine de chaque soumission (celle de sa première correction)",
} as const;

function progressText(run: RegradeRunView): string {
  const changed = `${run.changed} note${run.changed > 1 ? 's' : ''} modifiée${run.changed > 1 ? 's' : ''}`;
  return run.status === 'finished'
    ? `Terminée : ${run.done} sur ${run.total} recorrigées, ${changed}.`
    : `En cours : ${run.done} sur ${run.total} recorrigées, ${changed}.`;
}

function checkChange(c: CheckChange): VNode {
  const side = (s: CheckChange['before']) =>
    s === null ? 'absente' : `${s.passed ? 'réussie' : 'échouée'} (${formatPoints(s.points)} pt)`;
  return html`<li><strong>${c.title}</strong> : ${side(c.before)} → ${side(c.after)}</li>`;
}

function itemRow(i: RegradeItemView): VNode {
  const after =
    i.outcome === 'pending'
      ? html`<span class="badge badge-queued">en attente</span>`
      : i.outcome === 'error'
        ? html`<span class="badge badge-error">erreur du service</span>`
        : i.after
          ? formatScore(i.after.score, i.after.maxScore)
          : '—';
  return html`<tr data-testid="regrade-item" data-changed=${i.changed ? 'oui' : 'non'}>
    <td>${i.student.displayName}<br /><span class="small muted">${i.student.email}</span></td>
    <td data-label="Exercice"><code>${i.exercise}</code></td>
    <td data-label="Avant" data-testid="before">${i.before ? formatScore(i.before.score, i.before.maxScore) : '—'}</td>
    <td data-label="Après" data-testid="after">${after}</td>
    <td data-label="Vérifications">
      ${
        i.outcome !== 'graded'
          ? null
          : i.checks.length === 0
            ? html`<span class="muted">aucune vérification modifiée</span>`
            : html`<ul class="check-changes">
                ${i.checks.map(checkChange)}
              </ul>`
      }
    </td>
    <td><a href=${`/submissions/${i.submissionId}`}>voir</a></td>
  </tr>`;
}

/** `/regrades/{id}`: a regrade run's live progress and, per student, the grade before → after. */
export function regradePage({ user, run }: RegradePageView): VNode {
  const running = run.status === 'running';
  return layout({
    title: 'Recorrection',
    user,
    // Without JavaScript the page reloads itself until the run is finished.
    head: running ? html`<noscript><meta http-equiv="refresh" content="3" /></noscript>` : null,
    children: html`<h1>Recorrection</h1>
      <p>
        ${run.requestedBy ? html`Demandée par <strong>${run.requestedBy}</strong>` : 'Demandée'}${`, le ${formatDate(run.createdAt)}, pour ${selectorText(run)}, avec ${VERSION_TEXT[run.version]}.`}
        ${
          run.skipped > 0
            ? ` ${run.skipped} soumission${run.skipped > 1 ? 's' : ''} non finie${run.skipped > 1 ? 's' : ''} ou introuvable${run.skipped > 1 ? 's' : ''} laissée${run.skipped > 1 ? 's' : ''} de côté.`
            : null
        }
      </p>
      <section
        class="card progress-card"
        aria-labelledby="regrade-progress-title"
        data-regrade-events-url=${running ? `/api/regrades/${run.id}/events` : undefined}
      >
        <h2 id="regrade-progress-title">Progression</h2>
        <progress
          class="progress-bar"
          data-regrade-bar
          max=${Math.max(run.total, 1)}
          value=${run.total === 0 ? 1 : run.done}
        ></progress>
        <p role="status" aria-live="polite" data-regrade-status>
          <span data-testid="regrade-done">${run.done}</span>${' / '}<span data-testid="regrade-total"
            >${run.total}</span
          >${' · '}<span data-regrade-text>${progressText(run)}</span>
        </p>
        ${
          running
            ? html`<noscript><p class="small muted">Cette page se recharge toute seule jusqu'à la fin.</p></noscript>`
            : null
        }
      </section>
      <section class="card" aria-labelledby="regrade-list-title">
        <h2 id="regrade-list-title">Avant → après, par étudiant</h2>
        ${
          run.items.length === 0
            ? html`<p class="muted">Aucune soumission à recorriger.</p>`
            : html`<div class="table-wrap">
                <table class="regrade-list">
                  <thead>
                    <tr>
                      <th scope="col">Étudiant</th>
                      <th scope="col">Exercice</th>
                      <th scope="col">Avant</th>
                      <th scope="col">Après</th>
                      <th scope="col">Vérifications modifiées</th>
                      <th scope="col"><span class="visually-hidden">Soumission</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${run.items.map(itemRow)}
                  </tbody>
                </table>
              </div>`
        }
        ${run.more > 0 ? html`<p class="small muted">Et ${run.more} autres (liste complète : API).</p>` : null}
      </section>`,
  });
}

/** The instructors' regrade form, on a submission or an exercise page: version choice, then a run. */
export function regradeForm(action: string, csrfToken: string, label: string): VNode {
  return html`<section class="card" aria-labelledby="regrade-form-title">
    <h2 id="regrade-form-title">Recorriger (enseignants)</h2>
    <form method="post" action=${action} class="regrade-form">
      <input type="hidden" name="_csrf" value=${csrfToken} />
      <fieldset>
        <legend>Avec quelle définition de l'exercice ?</legend>
        <label><input type="radio" name="version" value="current" checked /> La version actuelle</label>
        <label
          ><input type="radio" name="version" value="original" /> La version d'origine (celle de la première
          correction)</label
        >
      </fieldset>
      <button type="submit" class="button">${label}</button>
    </form>
  </section>`;
}
