import type { AssignmentView } from '../../courses/assignments.service';
import type { ManagedCourse } from '../../courses/courses.service';
import type { RosterEntry, RosterImport } from '../../courses/roster.service';
import { formatInZone } from '../../courses/time-zone';
import { csrf, formAlert, input, select, type FieldErrors } from './form-fields';
import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';
import { plural } from './format';

export interface AssignmentFormValues {
  exercise?: string;
  opensAt?: string;
  dueAt?: string;
  lateUntil?: string;
  lateCredit?: string;
  maxAttempts?: string;
  cooldownSeconds?: string;
  counted?: string;
  revealHiddenAfterDue?: string;
}

export interface CoursePageView {
  user: PageUser;
  course: ManagedCourse;
  roster: RosterEntry[];
  assignments: AssignmentView[];
  exercises: { slug: string; title: string }[];
  /** After a preview or an import. */
  rosterResult?: { result: RosterImport; csv: string };
  rosterErrors?: FieldErrors;
  assignmentValues?: AssignmentFormValues;
  assignmentErrors?: FieldErrors;
}

const ROLE_LABEL = { student: 'Étudiant', instructor: 'Enseignant', assistant: 'Assistant' } as const;

/** The credit timeline of an assignment in words, in the course's time zone. */
export function timeline(
  a: Pick<AssignmentView, 'dueAt' | 'lateUntil' | 'lateCredit' | 'maxAttempts'>,
  zone: string,
): string {
  const late =
    a.lateUntil && a.lateCredit > 0
      ? `, puis ${Math.round(a.lateCredit * 100)} % jusqu'au ${formatInZone(a.lateUntil, zone)}`
      : '';
  const attempts = a.maxAttempts === null ? 'tentatives illimitées' : plural(a.maxAttempts, 'tentative', 'tentatives');
  return `100 % jusqu'au ${formatInZone(a.dueAt, zone)}${late} ; ${attempts}`;
}

function rosterResult(v: CoursePageView): VNode | null {
  if (!v.rosterResult) return null;
  const { result, csv } = v.rosterResult;
  const summary =
    (result.dryRun ? 'Aperçu (rien n’est encore enregistré) : ' : 'Import terminé : ') +
    [
      plural(result.created, 'inscription nouvelle', 'inscriptions nouvelles'),
      plural(result.updated, 'mise à jour', 'mises à jour'),
      plural(result.unchanged, 'ligne inchangée', 'lignes inchangées'),
      plural(result.errors.length, 'ligne en erreur', 'lignes en erreur'),
    ].join(', ') +
    '.';
  return html`<div class="roster-result" data-testid="roster-result">
    <p class=${`alert ${result.dryRun ? 'alert-info' : 'alert-warning'}`} role="status">${summary}</p>
    ${
      result.errors.length
        ? html`<div class="table-wrap">
            <table class="data-table" data-testid="roster-errors">
              <caption>
                Lignes refusées (les autres sont ${result.dryRun ? 'prêtes à être importées' : 'importées'})
              </caption>
              <thead>
                <tr>
                  <th scope="col">Ligne</th>
                  <th scope="col">Problème</th>
                </tr>
              </thead>
              <tbody>
                ${result.errors.map(
                  (e) =>
                    html`<tr>
                      <td>${e.line}</td>
                      <td>${e.message}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : null
    }
    ${
      result.dryRun
        ? html`<form method="post" action=${`/courses/${v.course.code}/roster`} class="stack">
            ${csrf(v.user.csrfToken)}
            <input type="hidden" name="action" value="import" />
            <textarea name="csv" hidden aria-hidden="true">${csv}</textarea>
            <button type="submit" class="button button-primary">Confirmer l'import</button>
          </form>`
        : null
    }
    ${
      result.invitations.length
        ? html`<div class="table-wrap">
            <table class="data-table" data-testid="invitations">
              <caption>
                Liens d'invitation (affichés une seule fois : transmettez-les aux étudiants)
              </caption>
              <thead>
                <tr>
                  <th scope="col">Étudiant</th>
                  <th scope="col">Lien</th>
                </tr>
              </thead>
              <tbody>
                ${result.invitations.map(
                  (i) =>
                    html`<tr>
                      <td>${i.name} (${i.email})</td>
                      <td><code class="break">${i.link}</code></td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
        : null
    }
  </div>`;
}

/** The assignment fields, shared by the create form and the edit page. */
export function assignmentFields(v: {
  values: AssignmentFormValues;
  errors?: FieldErrors;
  zone: string;
  exercises?: { slug: string; title: string }[];
}): VNode {
  const val = v.values;
  return html`${
      v.exercises
        ? select({
            name: 'exercise',
            label: 'Exercice',
            value: val.exercise,
            errors: v.errors,
            options: [
              { value: '', label: '— choisir —' },
              ...v.exercises.map((e) => ({ value: e.slug, label: `${e.title} (${e.slug})` })),
            ],
          })
        : null
    }
    <p class="small muted">Dates et heures dans le fuseau du cours : ${v.zone}.</p>
    ${input({ name: 'opensAt', label: 'Ouverture (facultatif)', type: 'datetime-local', value: val.opensAt, errors: v.errors })}
    ${input({ name: 'dueAt', label: 'Échéance', type: 'datetime-local', value: val.dueAt, errors: v.errors, required: true })}
    ${input({ name: 'lateUntil', label: 'Retard accepté jusqu’au (facultatif)', type: 'datetime-local', value: val.lateUntil, errors: v.errors })}
    ${input({ name: 'lateCredit', label: 'Part de la note en retard (0 à 1)', type: 'number', value: val.lateCredit ?? '0', errors: v.errors, attrs: { step: '0.05', min: '0', max: '1' }, help: '0,5 : une réponse en retard compte pour moitié.' })}
    ${input({ name: 'maxAttempts', label: 'Nombre de tentatives (vide : illimité)', type: 'number', value: val.maxAttempts, errors: v.errors, attrs: { min: '1', step: '1' } })}
    ${input({ name: 'cooldownSeconds', label: 'Délai entre deux tentatives, en secondes (facultatif)', type: 'number', value: val.cooldownSeconds, errors: v.errors, attrs: { min: '0', step: '1' } })}
    ${select({
      name: 'counted',
      label: 'Note retenue',
      value: val.counted ?? 'best',
      errors: v.errors,
      options: [
        { value: 'best', label: 'La meilleure tentative' },
        { value: 'last', label: 'La dernière tentative' },
      ],
    })}
    <div class="field">
      <label
        ><input type="checkbox" name="revealHiddenAfterDue" value="1" checked=${val.revealHiddenAfterDue === '1'} />
        Montrer les vérifications cachées après l'échéance</label
      >
    </div>`;
}

/** `/courses/{code}`: roster with CSV import (preview, per-line errors, invitation links) and assignments. */
export function coursePage(v: CoursePageView): VNode {
  const students = v.roster.filter((r) => r.role === 'student');
  return layout({
    title: v.course.title,
    user: v.user,
    current: 'courses',
    children: html`<nav class="breadcrumb" aria-label="Fil d'Ariane"><a href="/courses">Cours</a></nav>
      <h1>${v.course.title}</h1>
      <p class="muted">${v.course.code}${v.course.term ? ` · ${v.course.term}` : ''} · fuseau ${v.course.timeZone}</p>
      <p><a class="button" href=${`/courses/${v.course.code}/gradebook`}>Carnet de notes</a></p>

      <section aria-labelledby="assignments-title">
        <h2 id="assignments-title">Devoirs</h2>
        ${
          v.assignments.length === 0
            ? html`<p class="muted">Aucun devoir pour l'instant.</p>`
            : html`<div class="table-wrap">
                <table class="data-table">
                  <caption class="visually-hidden">
                    Devoirs du cours
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Exercice</th>
                      <th scope="col">Échéances</th>
                      <th scope="col">Note retenue</th>
                      <th scope="col"><span class="visually-hidden">Actions</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    ${v.assignments.map(
                      (a) =>
                        html`<tr>
                          <td>${a.exerciseTitle}<br /><span class="small muted">${a.exercise}</span></td>
                          <td>${timeline(a, v.course.timeZone)}</td>
                          <td>${a.counted === 'best' ? 'meilleure' : 'dernière'}</td>
                          <td>
                            <a href=${`/courses/${v.course.code}/assignments/${a.id}`}>Modifier, prolongations</a>
                          </td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
        }
        <details class="card" open=${v.assignmentErrors ? true : undefined}>
          <summary><h3 class="inline-heading">Nouveau devoir</h3></summary>
          ${formAlert(v.assignmentErrors)}
          <form method="post" action=${`/courses/${v.course.code}/assignments`} class="stack" novalidate>
            ${csrf(v.user.csrfToken)}
            ${assignmentFields({ values: v.assignmentValues ?? {}, errors: v.assignmentErrors, zone: v.course.timeZone, exercises: v.exercises })}
            <button type="submit" class="button button-primary">Créer le devoir</button>
          </form>
        </details>
      </section>

      <section aria-labelledby="roster-title">
        <h2 id="roster-title">Étudiants (${students.length})</h2>
        <div class="card">
          <h3>Importer une liste (CSV)</h3>
          <p class="help">
            Première ligne : <code>email,name,group</code> (le point-virgule est aussi accepté). Les étudiants nouveaux
            sont créés et reçoivent un lien d'invitation ; ceux qui ne sont pas dans le fichier restent inscrits.
          </p>
          ${formAlert(v.rosterErrors)}
          <form
            method="post"
            action=${`/courses/${v.course.code}/roster`}
            enctype="multipart/form-data"
            class="stack"
            novalidate
          >
            ${csrf(v.user.csrfToken)}
            <div class="field">
              <label for="f-file">Fichier CSV</label>
              <input id="f-file" name="file" type="file" accept=".csv,text/csv" />
            </div>
            <div class="field">
              <label for="f-csv">ou collez son contenu</label>
              <textarea
                id="f-csv"
                name="csv"
                rows="6"
                class="code-input"
                spellcheck="false"
                aria-invalid=${v.rosterErrors?.csv ? 'true' : undefined}
                aria-describedby=${v.rosterErrors?.csv ? 'f-csv-error' : undefined}
              ></textarea>
              ${v.rosterErrors?.csv ? html`<p class="field-error" id="f-csv-error">${v.rosterErrors.csv}</p>` : null}
            </div>
            <div class="actions">
              <button type="submit" name="action" value="preview" class="button button-primary">Prévisualiser</button>
              <button type="submit" name="action" value="import" class="button">Importer directement</button>
            </div>
          </form>
          ${rosterResult(v)}
        </div>
        ${
          v.roster.length
            ? html`<div class="table-wrap">
                <table class="data-table" data-testid="roster">
                  <caption class="visually-hidden">
                    Inscrits au cours
                  </caption>
                  <thead>
                    <tr>
                      <th scope="col">Nom</th>
                      <th scope="col">Adresse</th>
                      <th scope="col">Groupe</th>
                      <th scope="col">Rôle</th>
                      <th scope="col">Compte</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${v.roster.map(
                      (r) =>
                        html`<tr>
                          <td>${r.name}</td>
                          <td class="break">${r.email}</td>
                          <td>${r.group || '—'}</td>
                          <td>${ROLE_LABEL[r.role]}</td>
                          <td>${r.active ? 'activé' : 'invitation en attente'}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
            : null
        }
      </section>`,
  });
}
