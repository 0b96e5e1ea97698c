import { html, type VNode } from './html';
import { formatDate } from './format';
import { layout, type PageUser } from './layout';

/** An integration as its admin page lists it. */
export interface IntegrationRow {
  id: string;
  name: string;
  webhookUrl: string | null;
  enabled: boolean;
  webhookDisabledAt: Date | null;
  webhookDisabledReason: string | null;
  createdAt: Date;
  rotatedAt: Date | null;
}

export type FormErrors = Record<string, string | undefined>;

const field = (
  id: string,
  label: string,
  opts: { value?: string; error?: string; help?: string; type?: string; required?: boolean } = {},
) =>
  html`<div class="field">
    <label for=${id}>${label}</label>
    ${opts.help ? html`<p class="small muted" id=${`${id}-help`}>${opts.help}</p>` : null}
    <input
      id=${id}
      name=${id}
      type=${opts.type ?? 'text'}
      value=${opts.value ?? ''}
      required=${opts.required ?? false}
      aria-invalid=${opts.error ? 'true' : undefined}
      aria-describedby=${
        [opts.help ? `${id}-help` : '', opts.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined
      }
    />
    ${opts.error ? html`<p class="field-error" id=${`${id}-error`}>${opts.error}</p>` : null}
  </div>`;

const adminNav = (current: 'integrations' | 'lti') =>
  html`<nav class="pager" aria-label="Administration LMS">
    <a class="button" href="/admin/integrations" aria-current=${current === 'integrations' ? 'page' : undefined}
      >Intégrations (webhooks)</a
    >
    <a class="button" href="/admin/lti" aria-current=${current === 'lti' ? 'page' : undefined}>Plateformes LTI 1.3</a>
  </nav>`;

/** Secrets just generated: shown on this page only, never again. */
export function secretsPage(
  user: PageUser,
  s: { id: string; name: string; inboundSecret: string; webhookSecret: string },
  rotated: boolean,
): VNode {
  return layout({
    title: rotated ? 'Nouveaux secrets' : 'Intégration créée',
    user,
    children: html`<h1>${rotated ? `Nouveaux secrets de « ${s.name} »` : `Intégration « ${s.name} » créée`}</h1>
      <div class="alert alert-warning" role="alert">
        <p>
          Copiez ces secrets maintenant : ils ne seront plus jamais affichés.
          ${rotated ? ' Les anciens restent valables 24 heures, le temps de les remplacer chez l’établissement.' : ''}
        </p>
      </div>
      <dl class="stack">
        <dt>Identifiant de l’intégration</dt>
        <dd><code data-secret="id">${s.id}</code></dd>
        <dt>Secret entrant (signature des soumissions envoyées à dockgrader)</dt>
        <dd><code data-secret="inbound">${s.inboundSecret}</code></dd>
        <dt>Secret des webhooks (signature des notes envoyées par dockgrader)</dt>
        <dd><code data-secret="webhook">${s.webhookSecret}</code></dd>
      </dl>
      <p><a class="button" href="/admin/integrations">Retour aux intégrations</a></p>`,
  });
}

export function integrationsPage(
  user: PageUser,
  rows: IntegrationRow[],
  form: { name?: string; webhookUrl?: string; errors?: FormErrors } = {},
): VNode {
  const err = form.errors ?? {};
  return layout({
    title: 'Intégrations LMS',
    user,
    children: html`<h1>Intégrations LMS</h1>
      ${adminNav('integrations')}
      ${
        rows.length === 0
          ? html`<p class="lead">Aucune intégration pour l’instant.</p>`
          : html`<div class="table-wrap">
              <table class="history">
                <caption class="visually-hidden">
                  Intégrations
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Nom</th>
                    <th scope="col">Webhook</th>
                    <th scope="col">État</th>
                    <th scope="col">Créée</th>
                    <th scope="col">Actions</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map(
                    (r) =>
                      html`<tr data-integration=${r.id}>
                        <td>${r.name}</td>
                        <td><code>${r.webhookUrl ?? '—'}</code></td>
                        <td>
                          ${r.enabled ? 'Activée' : 'Désactivée'}
                          ${
                            r.webhookDisabledAt
                              ? html`<p class="field-error" data-disabled-410>
                                  Envoi des notes arrêté le ${formatDate(r.webhookDisabledAt)} : le destinataire a
                                  répondu 410 Gone (${r.webhookDisabledReason ?? ''}).
                                </p>`
                              : null
                          }
                        </td>
                        <td>
                          ${formatDate(r.createdAt)}${r.rotatedAt ? html`<br />secrets changés le ${formatDate(r.rotatedAt)}` : null}
                        </td>
                        <td>
                          <a href=${`/admin/integrations/${r.id}/deliveries`}>Journal des envois</a>
                          <form method="post" action=${`/admin/integrations/${r.id}/rotate`} class="inline-form">
                            <input type="hidden" name="_csrf" value=${user.csrfToken} />
                            <button type="submit" class="button">Changer les secrets</button>
                          </form>
                          ${
                            r.webhookDisabledAt
                              ? html`<form
                                  method="post"
                                  action=${`/admin/integrations/${r.id}/reenable`}
                                  class="inline-form"
                                >
                                  <input type="hidden" name="_csrf" value=${user.csrfToken} />
                                  <button type="submit" class="button">Réactiver l’envoi</button>
                                </form>`
                              : null
                          }
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      <section aria-labelledby="new-integration">
        <h2 id="new-integration">Nouvelle intégration</h2>
        <form method="post" action="/admin/integrations" class="stack" novalidate>
          <input type="hidden" name="_csrf" value=${user.csrfToken} />
          ${field('name', 'Nom', { value: form.name, error: err.name, required: true })}
          ${field('webhookUrl', 'Adresse des webhooks (facultatif)', {
            value: form.webhookUrl,
            error: err.webhookUrl,
            type: 'url',
            help: 'Où dockgrader envoie les notes, signées. Laissez vide pour ne rien envoyer.',
          })}
          <button type="submit" class="button button-primary">Créer l’intégration</button>
        </form>
      </section>`,
  });
}

export interface DeliveryRow {
  id: string;
  event: string;
  sequence: number;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | null;
  lastResponse: string | null;
  nextRetryAt: Date | null;
  createdAt: Date;
  attemptLog: { number: number; startedAt: Date; durationMs: number; httpStatus: number | null; response: string }[];
  /** A score sent to an LTI platform: the student and the activity (resource link) it is for. */
  student?: string;
  activity?: string;
}

/** Whose deliveries a log page shows: an integration's webhooks, or the scores sent to an LTI platform. */
export interface DeliverySource {
  kind: 'integration' | 'lti';
  id: string;
  name: string;
}

/** The log page of a source (the redeliver form comes back to it). */
export function deliveriesPath(source: Pick<DeliverySource, 'kind' | 'id'>): string {
  return `/admin/${source.kind === 'lti' ? 'lti' : 'integrations'}/${source.id}/deliveries`;
}

const DELIVERY_STATUS = { pending: 'En cours', delivered: 'Remise', failed: 'Échec' } as const;

export function deliveriesPage(
  user: PageUser,
  source: DeliverySource,
  rows: DeliveryRow[],
  onlyFailed: boolean,
): VNode {
  const path = deliveriesPath(source);
  const lti = source.kind === 'lti';
  const heading = lti ? `Notes envoyées à ${source.name}` : `Journal des envois : ${source.name}`;
  return layout({
    title: `${lti ? 'Notes envoyées' : 'Journal des envois'} · ${source.name}`,
    user,
    children: html`<h1>${heading}</h1>
      ${adminNav(lti ? 'lti' : 'integrations')}
      <p>
        ${onlyFailed ? html`<a href=${path}>Tous les envois</a>` : html`<a href=${`${path}?status=failed`}>Seulement les échecs</a>`}
      </p>
      ${
        rows.length === 0
          ? html`<p class="lead">Aucun envoi${onlyFailed ? ' en échec' : ''}.</p>`
          : html`<div class="table-wrap">
              <table class="history">
                <caption class="visually-hidden">
                  Envois
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Créé</th>
                    <th scope="col">${lti ? 'Activité et étudiant' : 'Événement'}</th>
                    <th scope="col">État</th>
                    <th scope="col">Tentatives</th>
                    <th scope="col">Dernière réponse</th>
                    <th scope="col">Action</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map(
                    (d) =>
                      html`<tr data-delivery=${d.id}>
                        <td>${formatDate(d.createdAt)}</td>
                        <td>
                          ${lti ? html`${d.activity ?? '—'} · ${d.student ?? '—'} (note n° ${d.sequence})` : html`<code>${d.event}</code> n° ${d.sequence}`}
                        </td>
                        <td>
                          ${DELIVERY_STATUS[d.status]}
                          ${d.nextRetryAt ? html`<br />prochain essai ${formatDate(d.nextRetryAt)}` : null}
                        </td>
                        <td>
                          <details>
                            <summary>${d.attempts}</summary>
                            <ol>
                              ${d.attemptLog.map(
                                (a) =>
                                  html`<li>
                                    ${formatDate(a.startedAt)} · ${a.httpStatus ?? 'pas de réponse'} · ${a.durationMs}
                                    ms ·
                                    <code>${a.response}</code>
                                  </li>`,
                              )}
                            </ol>
                          </details>
                        </td>
                        <td>${d.lastStatus ?? '—'} <code>${(d.lastResponse ?? '').slice(0, 120)}</code></td>
                        <td>
                          ${
                            d.status === 'pending'
                              ? '—'
                              : html`<form
                                  method="post"
                                  action=${`/admin/webhook-deliveries/${d.id}/redeliver`}
                                  class="inline-form"
                                >
                                  <input type="hidden" name="_csrf" value=${user.csrfToken} />
                                  <input type="hidden" name="back" value=${path} />
                                  <button type="submit" class="button">Renvoyer</button>
                                </form>`
                          }
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }`,
  });
}

export interface PlatformRow {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  deploymentIds: string[];
  enabled: boolean;
  createdAt: Date;
}

export const PLATFORM_FIELDS = [
  ['name', 'Nom', 'Pour vous y retrouver, par exemple « Moodle du lycée ».'],
  ['issuer', 'Émetteur (issuer)', 'L’identifiant de la plateforme, par exemple https://moodle.lycee.fr.'],
  ['clientId', 'Client ID', 'Donné par la plateforme quand vous y déclarez l’outil.'],
  ['deploymentIds', 'Deployment ID(s)', 'Séparés par des virgules.'],
  ['authUrl', 'URL d’authentification OIDC', ''],
  ['tokenUrl', 'URL du jeton d’accès (OAuth 2)', ''],
  ['jwksUrl', 'URL des clés publiques (JWKS)', ''],
] as const;

export function ltiPlatformsPage(
  user: PageUser,
  tool: { loginUrl: string; launchUrl: string; jwksUrl: string },
  rows: PlatformRow[],
  form: { values?: Record<string, string>; errors?: FormErrors; created?: string } = {},
): VNode {
  const err = form.errors ?? {};
  return layout({
    title: 'Plateformes LTI',
    user,
    children: html`<h1>Plateformes LTI 1.3</h1>
      ${adminNav('lti')}
      ${form.created ? html`<p class="alert alert-info" role="status">Plateforme « ${form.created} » enregistrée.</p>` : null}
      <section aria-labelledby="tool-urls">
        <h2 id="tool-urls">À déclarer dans la plateforme</h2>
        <dl>
          <dt>URL de connexion (OIDC login initiation)</dt>
          <dd><code>${tool.loginUrl}</code></dd>
          <dt>URL de lancement et de redirection</dt>
          <dd><code>${tool.launchUrl}</code></dd>
          <dt>URL des clés publiques de l’outil (JWKS)</dt>
          <dd><code>${tool.jwksUrl}</code></dd>
        </dl>
      </section>
      ${
        rows.length === 0
          ? html`<p class="lead">Aucune plateforme enregistrée.</p>`
          : html`<div class="table-wrap">
              <table class="history">
                <caption class="visually-hidden">
                  Plateformes
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Nom</th>
                    <th scope="col">Émetteur</th>
                    <th scope="col">Client ID</th>
                    <th scope="col">Déploiements</th>
                    <th scope="col">État</th>
                  </tr>
                </thead>
                <tbody>
                  ${rows.map(
                    (p) =>
                      html`<tr data-platform=${p.id}>
                        <td>${p.name}</td>
                        <td><code>${p.issuer}</code></td>
                        <td><code>${p.clientId}</code></td>
                        <td>${p.deploymentIds.join(', ')}</td>
                        <td>${p.enabled ? 'Active' : 'Désactivée'}</td>
                        <td><a href=${deliveriesPath({ kind: 'lti', id: p.id })}>Journal</a></td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
      }
      <section aria-labelledby="new-platform">
        <h2 id="new-platform">Nouvelle plateforme</h2>
        <form method="post" action="/admin/lti" class="stack" novalidate>
          <input type="hidden" name="_csrf" value=${user.csrfToken} />
          ${PLATFORM_FIELDS.map(([id, label, help]) =>
            field(id, label, { value: form.values?.[id], error: err[id], help: help || undefined, required: true }),
          )}
          <button type="submit" class="button button-primary">Enregistrer la plateforme</button>
        </form>
      </section>`,
  });
}
