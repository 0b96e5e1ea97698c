import type { AssignmentView } from '../../courses/assignments.service';
import type { ManagedCourse } from '../../courses/courses.service';
import { formatInZone } from '../../courses/time-zone';
import { assignmentFields, timeline, type AssignmentFormValues } from './course-page';
import { csrf, formAlert, input, type FieldErrors } from './form-fields';
import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';

export interface OverrideRow {
  user: { email: string; displayName: string };
  dueAt: Date | null;
  lateUntil: Date | null;
  extraAttempts: number;
  grantedAt: Date;
}

/** `/courses/{code}/assignments/{id}`: edit the deadlines, grant extensions. */
export function assignmentPage(v: {
  user: PageUser;
  course: ManagedCourse;
  assignment: AssignmentView;
  overrides: OverrideRow[];
  values: AssignmentFormValues;
  errors?: FieldErrors;
  overrideValues?: Record<string, string>;
  overrideErrors?: FieldErrors;
  saved?: boolean;
}): VNode {
  const zone = v.course.timeZone;
  const ov = v.overrideValues ?? {};
  return layout({
    title: `${v.assignment.exerciseTitle} · ${v.course.title}`,
    user: v.user,
    current: 'courses',
    children: html`<nav class="breadcrumb" aria-label="Fil d'Ariane">
        <a href="/courses">Cours</a>${' '}<span aria-hidden="true">›</span>${' '}
        <a href=${`/courses/${v.course.code}`}>${v.course.title}</a>
      </nav>
      <h1>${v.assignment.exerciseTitle}</h1>
      <p class="muted">${timeline(v.assignment, zone)}</p>
      ${v.saved ? html`<p class="alert alert-info" role="status">Enregistré.</p>` : null}
      <section class="card" aria-labelledby="edit-title">
        <h2 id="edit-title">Échéances et tentatives</h2>
        ${formAlert(v.errors)}
        <form
          method="post"
          action=${`/courses/${v.course.code}/assignments/${v.assignment.id}`}
          class="stack"
          novalidate
        >
          ${csrf(v.user.csrfToken)} ${assignmentFields({ values: v.values, errors: v.errors, zone })}
          <p class="small muted">Une note déjà obtenue ne baisse jamais si vous avancez une échéance.</p>
          <button type="submit" class="button button-primary">Enregistrer</button>
        </form>
      </section>
      <section class="card" aria-labelledby="ext-title">
        <h2 id="ext-title">Prolongations</h2>
        ${
          v.overrides.length
            ? html`<div class="table-wrap">
                <table class="data-table" data-testid="overrides">
                  <caption class="visually-hidden">
                    Prolongations accordées
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Étudiant</th>
                      <th scope="col">Échéance</th>
                      <th scope="col">Retard jusqu'au</th>
                      <th scope="col">Tentatives en plus</th>
                      <th scope="col">Accordée le</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${v.overrides.map(
                      (o) =>
                        html`<tr>
                          <td>${o.user.displayName} <span class="small muted">${o.user.email}</span></td>
                          <td>${o.dueAt ? formatInZone(o.dueAt, zone) : '—'}</td>
                          <td>${o.lateUntil ? formatInZone(o.lateUntil, zone) : '—'}</td>
                          <td>${o.extraAttempts}</td>
                          <td>${formatInZone(o.grantedAt, zone)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
            : html`<p class="muted">Aucune prolongation.</p>`
        }
        <h3>Accorder une prolongation</h3>
        ${formAlert(v.overrideErrors)}
        <form
          method="post"
          action=${`/courses/${v.course.code}/assignments/${v.assignment.id}/overrides`}
          class="stack"
          novalidate
        >
          ${csrf(v.user.csrfToken)}
          ${input({ name: 'user', label: "Adresse e-mail de l'étudiant", type: 'email', value: ov.user, errors: v.overrideErrors, idPrefix: 'o', required: true })}
          ${input({ name: 'dueAt', label: 'Nouvelle échéance (facultatif)', type: 'datetime-local', value: ov.dueAt, errors: v.overrideErrors, idPrefix: 'o' })}
          ${input({ name: 'lateUntil', label: 'Retard accepté jusqu’au (facultatif)', type: 'datetime-local', value: ov.lateUntil, errors: v.overrideErrors, idPrefix: 'o' })}
          ${input({ name: 'extraAttempts', label: 'Tentatives en plus', type: 'number', value: ov.extraAttempts ?? '0', errors: v.overrideErrors, idPrefix: 'o', attrs: { min: '0', step: '1' } })}
          <button type="submit" class="button button-primary">Accorder</button>
        </form>
        <p class="small muted">
          Dates dans le fuseau du cours (${zone}) ; la prolongation remplace la précédente de l'étudiant. Référence :
          échéance du devoir le ${formatInZone(v.assignment.dueAt, zone)}.
        </p>
      </section>`,
  });
}
