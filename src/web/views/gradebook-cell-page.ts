import type { ManagedCourse } from '../../courses/courses.service';
import { practiceLabel, type PracticeReason } from '../../courses/credit';
import { formatInZone } from '../../courses/time-zone';
import { statusBadge } from './dashboard-page';
import { formatPoints, formatScore, type Status } from './format';
import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';

export interface CellSubmission {
  id: string;
  receivedAt: Date;
  number: number | null;
  status: Status;
  credit: number;
  practiceReason: PracticeReason | null;
  score: number | null;
  maxScore: number | null;
  checks: {
    id: string;
    title: string;
    passed: boolean;
    points: number;
    maxPoints: number;
    message: string;
    hidden?: boolean;
  }[];
}

/** `/courses/{code}/gradebook/{assignment}/{student}`: one student's submissions to one assignment. */
export function gradebookCellPage(v: {
  user: PageUser;
  course: ManagedCourse;
  exerciseTitle: string;
  student: { name: string; email: string };
  submissions: CellSubmission[];
}): VNode {
  return layout({
    title: `${v.student.name} · ${v.exerciseTitle}`,
    user: v.user,
    current: 'courses',
    children: html`<nav class="breadcrumb" aria-label="Fil d'Ariane">
        <a href="/courses">Cours</a>${' '}<span aria-hidden="true">›</span>${' '}
        <a href=${`/courses/${v.course.code}/gradebook`}>Carnet de notes</a>
      </nav>
      <h1>${v.student.name} · ${v.exerciseTitle}</h1>
      <p class="muted">${v.student.email}</p>
      ${v.submissions.map(
        (s) =>
          html`<section class="card" aria-label=${`Tentative ${s.number ?? ''}`}>
            <h2>Tentative ${s.number ?? '?'} · reçue le ${formatInZone(s.receivedAt, v.course.timeZone)}</h2>
            <p>
              ${statusBadge(s.status)}
              ${s.score !== null && s.maxScore !== null ? html` Note : <strong>${formatScore(s.score, s.maxScore)}</strong>` : null}
              ${
                s.practiceReason
                  ? html` · <span class="gb-mark gb-practice">entraînement : ${practiceLabel(s.practiceReason)}</span>`
                  : s.credit < 1
                    ? html`${' · '}<span class="gb-mark gb-late"
                          >retard : compte pour ${Math.round(s.credit * 100)} %</span
                        >${s.score !== null ? ` (${formatPoints(Math.round(s.score * s.credit * 100) / 100)} points)` : ''}`
                    : null
              }
            </p>
            ${
              s.checks.length
                ? html`<ul class="checks">
                    ${s.checks.map(
                      (c) =>
                        html`<li class=${`check ${c.passed ? 'check-pass' : 'check-fail'}`}>
                          <span class="check-title"
                            >${c.passed ? '✔' : '✘'} ${c.title}${c.hidden ? ' (cachée)' : ''}</span
                          >
                          <span class="check-points">${formatScore(c.points, c.maxPoints)}</span>
                          ${c.message ? html`<p class="check-message">${c.message}</p>` : null}
                        </li>`,
                    )}
                  </ul>`
                : null
            }
            <p><a href=${`/submissions/${s.id}`}>Déroulé complet des commandes et résultat</a></p>
          </section>`,
      )}`,
  });
}
