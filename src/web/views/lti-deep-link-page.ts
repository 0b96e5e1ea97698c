import { chapterTitle, compareChapters } from '../chapters';
import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';

/** An exercise the instructor can link, as the picker lists it. */
export interface LinkableExercise {
  slug: string;
  title: string;
  maxPoints: number;
  chapter: string;
}

/**
 * The picker an LMS opens when an instructor adds a dockgrader activity (LTI deep linking): the
 * published exercises by chapter, one to choose (or several, as checkboxes, when the platform
 * accepts several activities at once); the choice goes back to the platform, which creates the
 * activities and their grade columns. After a refusal the page keeps what was checked.
 */
export function deepLinkPickerPage(
  user: PageUser,
  request: { id: string; platformName: string; contextTitle: string | null; acceptMultiple: boolean },
  exercises: LinkableExercise[],
  refused: { error: string; chosen: string[] } | undefined = undefined,
): VNode {
  const error = refused?.error;
  const chosen = new Set(refused?.chosen ?? []);
  const multiple = request.acceptMultiple;
  const chapters = [...new Set(exercises.map((e) => e.chapter))].sort(compareChapters);
  return layout({
    title: 'Choisir un exercice',
    user,
    children: html`<h1>
        ${multiple ? 'Choisir les exercices des nouvelles activités' : 'Choisir l’exercice de la nouvelle activité'}
      </h1>
      <p>
        Plateforme : <strong>${request.platformName}</strong>${
          request.contextTitle ? html` · cours : <strong>${request.contextTitle}</strong>` : null
        }.
        ${` ${multiple ? 'Chaque exercice coché' : 'L’exercice choisi'} devient une activité du cours ; la note de chaque étudiant y est renvoyée automatiquement, sur le nombre de points de l’exercice.`}
      </p>
      <form method="post" action=${`/lti/deep-links/${request.id}`}>
        <input type="hidden" name="_csrf" value=${user.csrfToken} />
        ${error ? html`<p class="field-error" id="exercise-error" role="alert">${error}</p>` : null}
        ${chapters.map(
          (chapter) =>
            html`<fieldset aria-describedby=${error ? 'exercise-error' : undefined}>
              <legend>${chapterTitle(chapter)}</legend>
              ${exercises
                .filter((e) => e.chapter === chapter)
                .map(
                  (e) =>
                    html`<div class="choice">
                      <input
                        type=${multiple ? 'checkbox' : 'radio'}
                        name="exercise"
                        id=${`ex-${e.slug}`}
                        value=${e.slug}
                        required=${!multiple}
                        checked=${chosen.has(e.slug)}
                      />
                      <label for=${`ex-${e.slug}`}
                        >${e.title} <span class="muted small">(${e.slug}, ${e.maxPoints} points)</span></label
                      >
                    </div>`,
                )}
            </fieldset>`,
        )}
        <button type="submit" class="button button-primary">
          ${multiple ? 'Ajouter les exercices cochés à la plateforme' : 'Ajouter à la plateforme'}
        </button>
      </form>`,
  });
}

/**
 * The answer travels back through the browser (LTI Deep Linking 2.0 §4.5): a form posting the
 * signed JWT to the platform's return URL, sent at once by the page script, or by the button.
 */
export function deepLinkReturnPage(
  user: PageUser,
  answer: { returnUrl: string; jwt: string; titles: string[] },
): VNode {
  const [first] = answer.titles;
  return layout({
    title: 'Retour à la plateforme',
    user,
    children: html`<h1>
        ${answer.titles.length === 1 ? `« ${first} » choisi` : `${answer.titles.length} exercices choisis`}
      </h1>
      ${
        answer.titles.length > 1
          ? html`<ul>
              ${answer.titles.map((t) => html`<li>${t}</li>`)}
            </ul>`
          : null
      }
      <form method="post" action=${answer.returnUrl} data-autosubmit>
        <input type="hidden" name="JWT" value=${answer.jwt} />
        <p>Retour à la plateforme pour créer ${answer.titles.length === 1 ? 'l’activité' : 'les activités'}…</p>
        <button type="submit" class="button button-primary">Retourner à la plateforme</button>
      </form>`,
  });
}
