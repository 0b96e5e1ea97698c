import { formatScore, plural, STATUS_LABEL, type Status } from './format';
import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';

export interface DashboardExercise {
  slug: string;
  title: string;
  maxPoints: number;
  /** Best current score over the student's graded submissions, null before any. */
  bestScore: number | null;
  lastStatus: Status | null;
  attempts: number;
}

export interface DashboardChapter {
  title: string;
  exercises: DashboardExercise[];
}

export function statusBadge(status: Status): VNode {
  return html`<span class=${`badge badge-${status}`}>${STATUS_LABEL[status]}</span>`;
}

function exerciseCard(e: DashboardExercise): VNode {
  const done = e.bestScore !== null && e.bestScore >= e.maxPoints;
  return html`<li class=${`card exercise-card${done ? ' is-done' : ''}`}>
    <h3 class="card-title"><a href=${`/exercises/${e.slug}`}>${e.title}</a></h3>
    <dl class="facts">
      <div>
        <dt>Meilleure note</dt>
        <dd>${e.bestScore === null ? '—' : formatScore(e.bestScore, e.maxPoints)}</dd>
      </div>
      <div>
        <dt>Dernier état</dt>
        <dd>${e.lastStatus ? statusBadge(e.lastStatus) : html`<span class="muted">Pas encore tenté</span>`}</dd>
      </div>
      <div>
        <dt>Tentatives</dt>
        <dd>${e.attempts === 0 ? '0' : plural(e.attempts, 'tentative', 'tentatives')}</dd>
      </div>
    </dl>
  </li>`;
}

/** `/`: the student's exercises, grouped by course chapter, with their progress on each. */
export function dashboardPage(v: { user: PageUser; chapters: DashboardChapter[]; displayName: string }): VNode {
  const all = v.chapters.flatMap((c) => c.exercises);
  const full = all.filter((e) => e.bestScore !== null && e.bestScore >= e.maxPoints).length;
  return layout({
    title: 'Vos exercices',
    user: v.user,
    current: 'dashboard',
    children: html`<h1>Vos exercices</h1>
      <p class="lead">
        Bonjour ${v.displayName}. ${plural(full, 'exercice réussi', 'exercices réussis')} sur ${all.length}. Choisissez
        un exercice pour lire la consigne et envoyer votre réponse.
      </p>
      ${v.chapters.map(
        (c) =>
          html`<section class="chapter" aria-label=${c.title}>
            <h2>${c.title}</h2>
            <ul class="card-grid">
              ${c.exercises.map(exerciseCard)}
            </ul>
          </section>`,
      )}`,
  });
}
