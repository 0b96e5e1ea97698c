import type { CheckOutcome } from '../../grading/check.evaluator';
import type { EngineStateSummary, TranscriptEntryWithState } from '../../grading/transcript-state';
import { formatDate, formatDuration, formatScore, INFRA_ERROR_TEXT, isServiceFailure, type Status } from './format';
import { statusBadge } from './dashboard-page';
import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';

/** A stored check outcome as a student reads it: the grader's own shape, without the authors' detail. */
export type CheckView = Omit<CheckOutcome, 'detail' | 'hidden'> & { hidden?: boolean };

export interface SubmissionPageView {
  user: PageUser;
  id: string;
  exercise: { slug: string; title: string };
  status: Status;
  position: number | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  result: {
    score: number;
    maxScore: number;
    exerciseVersion: string;
    checks: CheckView[];
    transcript: TranscriptEntryWithState[];
    /** When the retention policy (or an erasure) removed the transcript. */
    transcriptPurgedAt?: Date | null;
    notices: string[];
  } | null;
  /** True right after the student sent it (the form's draft can be forgotten). */
  justSubmitted: boolean;
  /** Instructors and admins: the regrade form (null for students). */
  staffActions?: VNode | null;
}

/** While queued or running: what the live script updates, and the no-JS fallback's text. */
function progressPanel(v: SubmissionPageView): VNode {
  const waiting =
    v.status === 'queued'
      ? v.position
        ? `En file d'attente : position ${v.position}.`
        : "En file d'attente."
      : 'Correction en cours : vos commandes sont rejouées dans un bac à sable.';
  return html`<section
    class="card progress-card"
    aria-labelledby="progress-title"
    data-events-url=${`/api/submissions/${v.id}/events`}
  >
    <h2 id="progress-title">Progression</h2>
    <p class="progress-status" data-progress-status role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true"></span> ${waiting}
    </p>
    <ol class="progress-steps" data-progress-steps aria-label="Commandes rejouées"></ol>
    <noscript><p class="small muted">Cette page se recharge toute seule jusqu'à la fin de la correction.</p></noscript>
  </section>`;
}

/** Feedback text with `inline code` shown as code; every part stays text (no Markdown, no HTML). */
export function withInlineCode(text: string): (string | VNode)[] {
  return text.split(/`([^`\n]+)`/).map((part, i) => (i % 2 === 1 ? html`<code>${part}</code>` : part));
}

function checkItem(c: CheckView): VNode {
  return html`<li class=${`check ${c.passed ? 'check-pass' : 'check-fail'}`}>
    <span class="check-icon" aria-hidden="true">${c.passed ? '✓' : '✗'}</span>
    <div class="check-body">
      <p class="check-title">
        <span class="visually-hidden">${c.passed ? 'Réussie : ' : 'Échouée : '}</span>${c.title}
        ${c.hidden ? html`<span class="badge badge-muted">cachée</span>` : null}
      </p>
      <p class="check-message">${withInlineCode(c.message)}</p>
    </div>
    <span class="check-points">${formatScore(c.points, c.maxPoints)}</span>
  </li>`;
}

/** Docker's container states, as the student reads them (the engine's words are English). */
const CONTAINER_STATES: Record<string, string> = {
  running: 'en marche',
  created: 'créé, jamais démarré',
  paused: 'en pause',
  restarting: 'en redémarrage',
  removing: 'en cours de suppression',
  dead: 'hors service (dead)',
};

export function containerState(c: Pick<EngineStateSummary['containers'][number], 'state' | 'exitCode'>): string {
  if (c.state === 'exited') return `arrêté, code ${c.exitCode}`;
  return CONTAINER_STATES[c.state] ?? `état « ${c.state} »`;
}

function stateSummary(s: EngineStateSummary): VNode {
  return html`<div class="engine-state">
    <p class="state-title">État après cette commande</p>
    ${
      s.containers.length === 0
        ? html`<p class="small muted">Aucun conteneur.</p>`
        : html`<ul class="state-list">
            ${s.containers.map(
              (c) =>
                html`<li>
                  <span
                    class=${`dot dot-${c.state === 'running' ? 'ok' : c.state === 'exited' && c.exitCode !== 0 ? 'bad' : 'idle'}`}
                    aria-hidden="true"
                  ></span>
                  <code>${c.name}</code>${` (${c.image}) : ${containerState(c)}`}
                </li>`,
            )}
          </ul>`
    }
    ${s.networks.length > 0 ? html`<p class="small">Réseaux : ${s.networks.join(', ')}</p>` : null}
    ${s.volumes.length > 0 ? html`<p class="small">Volumes : ${s.volumes.join(', ')}</p>` : null}
    <p class="small muted">Images : ${s.images.length > 0 ? s.images.join(', ') : 'aucune'}</p>
  </div>`;
}

function transcriptEntry(e: TranscriptEntryWithState): VNode {
  const ran = !e.refused && !e.skipped;
  return html`<li class="command">
    <div class="command-head">
      <code class="command-line">$ ${e.text}</code>
      ${
        ran
          ? html`<span class=${`exit ${e.exitCode === 0 ? 'exit-ok' : 'exit-bad'}`}>
              ${e.exitCode === null ? 'interrompue' : `code de sortie ${e.exitCode}`} · ${formatDuration(e.durationMs)}
            </span>`
          : html`<span class="exit exit-bad">non exécutée</span>`
      }
    </div>
    ${e.refused ? html`<p class="small">Refusée : ${e.refused}</p>` : null}
    ${e.skipped ? html`<p class="small">${e.skipped}</p>` : null}
    ${ran && e.output ? html`<pre class="output" tabindex="0">${e.output}</pre>` : null}
    ${
      ran && e.stderr
        ? html`<pre class="output stderr" tabindex="0" aria-label="Sortie d'erreur (stderr)">${e.stderr}</pre>`
        : null
    }
    ${e.truncated ? html`<p class="small muted">Sortie tronquée.</p>` : null} ${e.state ? stateSummary(e.state) : null}
  </li>`;
}

function resultPanel(v: SubmissionPageView): VNode | null {
  const r = v.result;
  if (!r) return null;
  const failed = r.checks.filter((c) => !c.passed).length;
  const took = v.startedAt && v.finishedAt ? v.finishedAt.getTime() - v.startedAt.getTime() : null;
  return html`<section class="card result-card" aria-labelledby="result-title">
      <div class="score-line">
        <h2 id="result-title">Résultat</h2>
        <p class="score"><span data-testid="score">${formatScore(r.score, r.maxScore)}</span></p>
      </div>
      <p class="lead">
        ${
          failed === 0
            ? 'Toutes les vérifications sont réussies. Bravo !'
            : `${failed} vérification${failed > 1 ? 's' : ''} à revoir : lisez les indications ci-dessous puis réessayez.`
        }
      </p>
      <ul class="checks" aria-label="Vérifications">
        ${r.checks.map(checkItem)}
      </ul>
      ${
        r.notices.length > 0
          ? html`<div class="notices">
              <h3>Remarques sur le rejeu</h3>
              <ul>
                ${r.notices.map((n) => html`<li>${n}</li>`)}
              </ul>
            </div>`
          : null
      }
      <p class="small muted">
        Version de l'exercice : <code>${r.exerciseVersion.slice(0, 12)}</code>${
          took !== null ? ` · correction en ${formatDuration(took)}` : ''
        }
      </p>
    </section>
    <section class="card" aria-labelledby="transcript-title">
      ${
        r.transcriptPurgedAt
          ? html`<h2 id="transcript-title">Déroulé des commandes</h2>
              <p class="muted" data-testid="transcript-purged">
                Le déroulé des commandes a été supprimé le ${formatDate(r.transcriptPurgedAt)} (durée de conservation
                des données) ; la note et le détail des vérifications restent.
              </p>`
          : html`<details class="transcript">
              <summary><h2 id="transcript-title">Déroulé des commandes (${r.transcript.length})</h2></summary>
              <p class="small muted">
                Chaque commande rejouée, sa sortie, et l'état du moteur Docker juste après : vous voyez quand un
                conteneur s'arrête, et pourquoi cela compte.
              </p>
              <ol class="commands">
                ${r.transcript.map(transcriptEntry)}
              </ol>
            </details>`
      }
    </section>`;
}

/** `/submissions/{id}`: live progress, then the result with feedback and the annotated transcript. */
export function submissionPage(v: SubmissionPageView): VNode {
  const final = v.status === 'graded' || isServiceFailure(v.status);
  return layout({
    title: `Tentative · ${v.exercise.title}`,
    user: v.user,
    current: 'history',
    // Without JavaScript the page reloads itself until graded; with it, the event stream does better.
    head: final ? null : html`<noscript><meta http-equiv="refresh" content="3" /></noscript>`,
    children: html`<nav class="breadcrumb" aria-label="Fil d'Ariane">
        <a href="/">Exercices</a>${' '}<span aria-hidden="true">›</span>${' '}<a href=${`/exercises/${v.exercise.slug}`}
          >${v.exercise.title}</a
        >
      </nav>
      <div
        class="title-row"
        data-submission=${v.id}
        data-clear-draft=${v.justSubmitted ? `dockgrader:draft:${v.exercise.slug}` : undefined}
      >
        <h1>Tentative du ${formatDate(v.createdAt)}</h1>
        <span data-status-badge>${statusBadge(v.status)}</span>
      </div>
      ${
        isServiceFailure(v.status)
          ? html`<section class="alert alert-warning" role="alert">
              <h2>${INFRA_ERROR_TEXT}</h2>
              <p>
                La correction n'a pas pu se faire à cause d'un problème de notre côté, pas de votre réponse. Elle ne
                compte pas dans vos tentatives : vous pouvez la renvoyer.
              </p>
            </section>`
          : null
      }
      ${final ? resultPanel(v) : progressPanel(v)}
      <p class="actions">
        <a class="button" href=${`/exercises/${v.exercise.slug}`}>Revenir à l'exercice</a>
        <a class="button-link" href="/submissions">Toutes mes tentatives</a>
      </p>
      ${v.staffActions ?? null}`,
  });
}
