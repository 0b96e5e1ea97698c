import { formatInZone } from '../../courses/time-zone';
import { formatPoints } from './format';
import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';

/** Messages next to the fields they concern (French), from a refused submission. */
export interface SubmissionFormErrors {
  source?: string;
  files?: string;
  /** Not about one field: rate limit, queue full, expired form. */
  form?: string;
}

export interface ExercisePageView {
  user: PageUser;
  slug: string;
  title: string;
  chapterTitle: string;
  maxPoints: number;
  /** Rendered by src/web/markdown.ts (raw HTML in the Markdown is escaped). */
  instructionsHtml: string;
  /** Files the reference solution attaches (Dockerfile, index.html…), as a hint. */
  expectedFiles: string[];
  source?: string;
  errors?: SubmissionFormErrors;
  /** Instructors and admins: the regrade form (null for students). */
  staffActions?: VNode | null;
  /** Opened from a course assignment: the form sends its id, the page says how the attempt will count. */
  assignment?: ExerciseAssignment;
}

export interface ExerciseAssignment {
  id: string;
  courseTitle: string;
  dueAt: Date;
  timeZone: string;
  maxAttempts: number | null;
  /** The next attempt as it would count now. */
  next: { number: number; credit: number; practiceReason: 'late' | 'attempts' | null };
}

/** What the student is told before sending: whether this attempt counts, and how much. */
export function attemptNotice(a: ExerciseAssignment): VNode {
  const due = formatInZone(a.dueAt, a.timeZone);
  const attempt = `Tentative ${a.next.number}${a.maxAttempts === null ? '' : ` sur ${a.maxAttempts}`}`;
  const course = `Devoir « ${a.courseTitle} » : `;
  // Sentences built as strings: htm drops the whitespace around a line break between text and a value.
  let text: string;
  if (a.next.practiceReason === 'attempts')
    text = `${course}vous avez utilisé toutes vos tentatives. Cette réponse sera corrigée mais comptera comme entraînement (tentatives épuisées) : 0 point.`;
  else if (a.next.practiceReason === 'late')
    text = `${course}l'échéance (${due}) est passée. Cette réponse sera corrigée mais comptera comme entraînement (hors délai) : 0 point.`;
  else if (a.next.credit < 1)
    text = `${course}l'échéance (${due}) est passée. ${attempt} : elle comptera pour ${Math.round(a.next.credit * 100)} % des points.`;
  else text = `${course}à rendre avant le ${due}. ${attempt}.`;
  const warn = a.next.practiceReason !== null || a.next.credit < 1;
  return html`<p class=${`alert ${warn ? 'alert-warning' : 'alert-info'}`} data-testid="attempt-notice">${text}</p>`;
}

const EXAMPLE = `docker run -d --name redis redis
docker exec redis redis-cli ping
# ou une session copiée du terminal :
$ docker container ls
CONTAINER ID   IMAGE   COMMAND   …`;

/** `/exercises/{slug}`: instructions and the submission form. */
export function exercisePage(v: ExercisePageView): VNode {
  const err = v.errors ?? {};
  return layout({
    title: v.title,
    user: v.user,
    children: html`<nav class="breadcrumb" aria-label="Fil d'Ariane">
        <a href="/">Exercices</a>${' '}<span aria-hidden="true">›</span>${' '}<span>${v.chapterTitle}</span>
      </nav>
      <h1>${v.title}</h1>
      <p class="muted">Barème : ${formatPoints(v.maxPoints)} points</p>
      <p class="jump"><a href="#answer-title">Aller au formulaire de réponse</a></p>
      <div class="exercise-layout">
        <article
          class="instructions prose"
          aria-label="Consigne"
          dangerouslySetInnerHTML=${{ __html: v.instructionsHtml }}
        ></article>
        <section class="card submit-card" aria-labelledby="answer-title">
          <h2 id="answer-title">Votre réponse</h2>
          <p class="help">
            Écrivez une commande par ligne, dans l'ordre où vous les lanceriez, ou collez une session de terminal : les
            lignes qui commencent par <code>$</code> sont les commandes, les autres (leur sortie) sont ignorées. Les
            lignes <code>#</code> sont des commentaires. Exemple :
          </p>
          <pre class="example" tabindex="0">${EXAMPLE}</pre>
          ${v.assignment ? attemptNotice(v.assignment) : null}
          ${err.form ? html`<p class="alert alert-error" role="alert" id="form-error">${err.form}</p>` : null}
          <form
            method="post"
            action=${v.assignment ? `/exercises/${v.slug}?assignment=${v.assignment.id}` : `/exercises/${v.slug}`}
            enctype="multipart/form-data"
            class="stack"
            data-draft-form=${v.slug}
            novalidate
          >
            <input type="hidden" name="_csrf" value=${v.user.csrfToken} />
            ${v.assignment ? html`<input type="hidden" name="assignment" value=${v.assignment.id} />` : null}
            <div class="field">
              <label for="source">Commandes ou session de terminal</label>
              <textarea
                id="source"
                name="source"
                rows="14"
                spellcheck="false"
                autocapitalize="off"
                autocomplete="off"
                class="code-input"
                data-draft-key=${`dockgrader:draft:${v.slug}`}
                aria-invalid=${err.source ? 'true' : undefined}
                aria-describedby=${err.source ? 'source-error' : undefined}
                value=${v.source ?? ''}
              ></textarea>
              ${err.source ? html`<p class="field-error" id="source-error">${err.source}</p>` : null}
            </div>
            <div class="field drop-zone" data-drop-zone>
              <label for="files">Fichiers (facultatif)</label>
              <p class="small muted" id="files-help">
                ${
                  v.expectedFiles.length > 0
                    ? html`Cet exercice attend :
                      ${v.expectedFiles.map((f, i) => html`${i > 0 ? ', ' : ''}<code>${f}</code>`)}. `
                    : null
                }
                Un fichier garde son nom ; 64 Kio au plus chacun. Vous pouvez aussi les glisser ici.
              </p>
              <input
                id="files"
                name="files"
                type="file"
                multiple
                aria-invalid=${err.files ? 'true' : undefined}
                aria-describedby=${err.files ? 'files-help files-error' : 'files-help'}
              />
              ${err.files ? html`<p class="field-error" id="files-error">${err.files}</p>` : null}
            </div>
            <button type="submit" class="button button-primary">Envoyer pour correction</button>
          </form>
        </section>
      </div>
      ${v.staffActions ?? null}`,
  });
}
