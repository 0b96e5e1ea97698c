import { formatDate } from './format';
import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';

export interface ServiceHealth {
  name: string;
  up: boolean;
  detail: string;
}

export interface OperationsView {
  user: PageUser;
  services: ServiceHealth[];
  queue: Record<string, number>;
  workers: Array<{
    id: string;
    host: string;
    pid: number;
    engine: string;
    jobs: string[];
    unavailable?: string;
    beatAt: string;
    ageSeconds: number;
    sandboxes: { ready: number; inUse: number; creating: number; target?: number };
  }>;
  pool: { ready: number; inUse: number; creating: number; target: number };
  imageSets: string[];
  infrastructureErrors: Array<{ worker: string; at: string; cause: string; message: string }>;
  failedSubmissions: Array<{ id: string; exercise: string; status: string; at: Date | null; message: string }>;
  generatedAt: Date;
}

const SERVICE_LABEL: Record<string, string> = {
  postgres: 'PostgreSQL',
  redis: 'Redis',
  docker: 'Moteur Docker',
  imageStore: 'Espace du magasin d’images',
  workers: 'Workers (battement < 30 s)',
};

const QUEUE_LABEL: Record<string, string> = {
  waiting: 'En attente',
  prioritized: 'Prioritaires',
  active: 'En cours',
  delayed: 'Différées (nouvel essai)',
  failed: 'Échouées',
  'waiting-children': 'En attente de sous-tâches',
};

/** `/admin/operations`: what an admin checks before and during an exam week (admins only). */
export function operationsPage(v: OperationsView): VNode {
  const allUp = v.services.every((s) => s.up);
  return layout({
    title: 'Exploitation',
    user: v.user,
    children: html`<h1>Exploitation</h1>
      <p class="lead">État du service au ${formatDate(v.generatedAt)} ; rechargez la page pour le mettre à jour.</p>
      <p>
        <a href="/admin/queues">Tableau de bord des files (bull-board)</a> · <a href="/metrics">Métriques Prometheus</a>
      </p>

      <section aria-labelledby="sante">
        <h2 id="sante">Santé des services</h2>
        <p data-testid="overall">${allUp ? 'Tous les services répondent.' : 'Au moins un service est en panne.'}</p>
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">État</th>
                <th scope="col">Détail</th>
              </tr>
            </thead>
            <tbody>
              ${v.services.map(
                (s) =>
                  html`<tr data-testid=${`service-${s.name}`}>
                    <th scope="row">${SERVICE_LABEL[s.name] ?? s.name}</th>
                    <td>
                      <span class=${`badge badge-${s.up ? 'graded' : 'error'}`}>${s.up ? 'OK' : 'En panne'}</span>
                    </td>
                    <td>${s.detail}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="files">
        <h2 id="files">File de correction</h2>
        <dl class="facts" data-testid="queue">
          ${Object.entries(v.queue).map(
            ([state, n]) =>
              html`<div>
                <dt>${QUEUE_LABEL[state] ?? state}</dt>
                <dd data-state=${state}>${n}</dd>
              </div>`,
          )}
        </dl>
      </section>

      <section aria-labelledby="bacs">
        <h2 id="bacs">Bacs à sable</h2>
        <dl class="facts" data-testid="pool">
          <div>
            <dt>Prêts (réserve chaude)</dt>
            <dd>${v.pool.ready}</dd>
          </div>
          <div>
            <dt>Objectif de la réserve</dt>
            <dd>${v.pool.target}</dd>
          </div>
          <div>
            <dt>En cours d’utilisation</dt>
            <dd>${v.pool.inUse}</dd>
          </div>
          <div>
            <dt>En préparation</dt>
            <dd>${v.pool.creating}</dd>
          </div>
        </dl>
        <p class="muted">
          Jeu d’images : ${v.imageSets.length ? v.imageSets.map((s) => html`<code>${s}</code> `) : 'aucun worker actif'}
        </p>
      </section>

      <section aria-labelledby="workers">
        <h2 id="workers">Workers</h2>
        ${
          v.workers.length === 0
            ? html`<p data-testid="no-worker">
                Aucun worker actif : les soumissions attendent. Lancez-en un (<code>npm start</code>).
              </p>`
            : html`<div class="table-wrap">
                <table data-testid="workers">
                  <thead>
                    <tr>
                      <th scope="col">Hôte</th>
                      <th scope="col">PID</th>
                      <th scope="col">Moteur</th>
                      <th scope="col">Corrections en cours</th>
                      <th scope="col">Réserve (prêts / objectif)</th>
                      <th scope="col">Dernier battement</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${v.workers.map(
                      (w) =>
                        html`<tr>
                          <td>${w.host}</td>
                          <td>${w.pid}</td>
                          <td><code>${w.engine}</code></td>
                          <td>
                            ${w.jobs.length}
                            ${
                              w.unavailable
                                ? html`<br /><strong class="field-error">en pause : ${w.unavailable}</strong>`
                                : null
                            }
                          </td>
                          <td>${w.sandboxes.ready} / ${w.sandboxes.target ?? w.sandboxes.ready}</td>
                          <td>il y a ${w.ageSeconds} s</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
        }
      </section>

      <section aria-labelledby="erreurs">
        <h2 id="erreurs">Erreurs récentes</h2>
        <h3>Incidents d’infrastructure (workers)</h3>
        ${
          v.infrastructureErrors.length === 0
            ? html`<p class="muted">Aucun.</p>`
            : html`<ul data-testid="infra-errors">
                ${v.infrastructureErrors.map(
                  (e) =>
                    html`<li>
                      ${formatDate(e.at)} · <strong>${e.cause}</strong> · ${e.message}
                      <span class="muted">(${e.worker})</span>
                    </li>`,
                )}
              </ul>`
        }
        <h3>Soumissions en erreur</h3>
        ${
          v.failedSubmissions.length === 0
            ? html`<p class="muted">Aucune.</p>`
            : html`<div class="table-wrap">
                <table data-testid="failed-submissions">
                  <thead>
                    <tr>
                      <th scope="col">Date</th>
                      <th scope="col">Exercice</th>
                      <th scope="col">État</th>
                      <th scope="col">Cause</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${v.failedSubmissions.map(
                      (s) =>
                        html`<tr>
                          <td><a href=${`/submissions/${s.id}`}>${s.at ? formatDate(s.at) : '—'}</a></td>
                          <td>${s.exercise}</td>
                          <td>${s.status === 'internal_error' ? 'Erreur interne' : 'Erreur d’infrastructure'}</td>
                          <td><code>${s.message}</code></td>
                        </tr>`,
                    )}
                  </tbody>
                </table>
              </div>`
        }
      </section>`,
  });
}
