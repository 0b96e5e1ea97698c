import type { CourseView } from '../../courses/courses.service';
import { csrf, formAlert, input, type FieldErrors } from './form-fields';
import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';
import { plural } from './format';

/** `/courses`: the courses an instructor teaches (an admin: all), and the form to create one. */
export function coursesPage(v: {
  user: PageUser;
  courses: CourseView[];
  values?: Record<string, string>;
  errors?: FieldErrors;
}): VNode {
  const values = v.values ?? {};
  return layout({
    title: 'Vos cours',
    user: v.user,
    current: 'courses',
    children: html`<h1>Vos cours</h1>
      ${
        v.courses.length === 0
          ? html`<p class="lead">
              Vous n'avez pas encore de cours. Créez-en un ci-dessous, puis importez sa liste d'étudiants.
            </p>`
          : html`<ul class="card-grid">
              ${v.courses.map(
                (c) =>
                  html`<li class="card">
                    <h2 class="card-title"><a href=${`/courses/${c.code}`}>${c.title}</a></h2>
                    <p class="muted">${c.code}${c.term ? ` · ${c.term}` : ''}</p>
                    <p>
                      ${plural(c.students, 'étudiant', 'étudiants')} · ${plural(c.assignments, 'devoir', 'devoirs')}
                      ·${' '}
                      <a href=${`/courses/${c.code}/gradebook`}>Carnet de notes</a>
                    </p>
                  </li>`,
              )}
            </ul>`
      }
      <section class="card" aria-labelledby="new-course">
        <h2 id="new-course">Créer un cours</h2>
        ${formAlert(v.errors)}
        <form method="post" action="/courses" class="stack" novalidate>
          ${csrf(v.user.csrfToken)}
          ${input({ name: 'code', label: 'Code du cours', value: values.code, errors: v.errors, required: true, help: 'Lettres, chiffres, . _ - ; sert dans les adresses (ex. DOCKER-2026).' })}
          ${input({ name: 'title', label: 'Intitulé', value: values.title, errors: v.errors, required: true })}
          ${input({ name: 'term', label: 'Période (facultatif)', value: values.term, errors: v.errors, help: 'Ex. 2026-S1.' })}
          ${input({ name: 'timeZone', label: 'Fuseau horaire des échéances', value: values.timeZone ?? 'Europe/Paris', errors: v.errors })}
          <button type="submit" class="button button-primary">Créer le cours</button>
        </form>
      </section>`,
  });
}
