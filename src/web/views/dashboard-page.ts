import { formatScore, plural, STATUS_LABEL, type Status } from './format';
import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';
import type { StudentAssignment } from '../../courses/student-assignments.service';
import { formatInZone } from '../../courses/time-zone';

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

/** Where an assignment stands now, for its student, in words. */
function assignmentState(a: StudentAssignment, now: number): string {
  if (a.opensAt && now < a.opensAt.getTime()) return `ouvre le ${formatInZone(a.opensAt, a.course.timeZone)}`;
  if (a.maxAttempts !== null && a.attemptsUsed >= a.maxAttempts) return 'tentatives épuisées (entraînement)';
  if (now <= a.dueAt.getTime()) return 'ouvert';
  if (a.lateUntil && now <= a.lateUntil.getTime() && a.lateCredit > 0)
    return `en retard : ${Math.round(a.lateCredit * 100)} % des points`;
  return 'hors délai (entraînement)';
}

/**
 * A date written in the course's zone, that the page script rewrites in the reader's own zone
 * (students may be elsewhere); without the script the course's zone is named.
 */
export function localTime(d: Date, zone: string): VNode {
  return html`<time datetime=${d.toISOString()} data-local>${formatInZone(d, zone)} (${zone})</time>`;
}

function assignmentsSection(list: StudentAssignment[]): VNode | null {
  if (list.length === 0) return null;
  const now = Date.now();
  return html`<section class="chapter" aria-labelledby="assignments-title">
    <h2 id="assignments-title">Vos devoirs</h2>
    <div class="table-wrap">
      <table class="data-table" data-testid="assignments">
        <caption class="visually-hidden">
          Devoirs de vos cours, par échéance
        </caption>
        <thead>
          <tr>
            <th scope="col">Devoir</th>
            <th scope="col">Échéance</th>
            <th scope="col">Tentatives</th>
            <th scope="col">État</th>
          </tr>
        </thead>
        <tbody>
          ${list.map(
            (a) =>
              html`<tr>
                <td>
                  <a href=${`/exercises/${a.exercise.slug}?assignment=${a.id}`}>${a.exercise.title}</a><br /><span
                    class="small muted"
                    >${a.course.title}</span
                  >
                </td>
                <td>
                  ${localTime(a.dueAt, a.course.timeZone)}${a.lateUntil && a.lateCredit > 0 ? html`<br /><span class="small muted">retard accepté jusqu'au ${localTime(a.lateUntil, a.course.timeZone)}</span>` : null}
                </td>
                <td>${a.attemptsUsed}${a.maxAttempts === null ? '' : ` / ${a.maxAttempts}`}</td>
                <td>${assignmentState(a, now)}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

/** `/`: the student's assignments, then their exercises grouped by course chapter, with their progress on each. */
export function dashboardPage(v: {
  user: PageUser;
  chapters: DashboardChapter[];
  displayName: string;
  assignments?: StudentAssignment[];
}): VNode {
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
      ${assignmentsSection(v.assignments ?? [])}
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
