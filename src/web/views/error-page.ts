import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';

const TEXT: Record<number, { title: string; body: string }> = {
  400: { title: 'Demande invalide', body: "La demande envoyée n'a pas pu être comprise." },
  403: {
    title: 'Action refusée',
    body: "Cette action n'est pas autorisée. Votre formulaire a peut-être expiré : rechargez la page et réessayez.",
  },
  404: { title: 'Page introuvable', body: "Cette page n'existe pas, ou vous n'y avez pas accès." },
  413: { title: 'Envoi trop volumineux', body: 'Ce que vous avez envoyé dépasse la taille acceptée.' },
  429: { title: 'Trop de demandes', body: 'Vous avez envoyé trop de demandes. Patientez un peu puis réessayez.' },
  500: {
    title: 'Erreur du service',
    body: "Une erreur inattendue s'est produite de notre côté. Réessayez dans un instant ; si le problème persiste, transmettez l'identifiant ci-dessous à votre enseignant.",
  },
  503: { title: 'Service surchargé', body: 'Le service est très sollicité. Réessayez dans quelques instants.' },
};

/**
 * The French error page: what happened, what to do, what was refused (`culprit`: "le champ « files »")
 * and for a 500 the request id (never a stack).
 */
export function errorPage(
  status: number,
  opts: { requestId?: string; user?: PageUser; message?: string; culprit?: string },
): VNode {
  const t = TEXT[status] ?? (status >= 500 ? TEXT[500] : TEXT[400]);
  return layout({
    title: t.title,
    user: opts.user,
    children: html`<section class="error-card" aria-labelledby="error-title">
      <p class="error-code" aria-hidden="true">${status}</p>
      <h1 id="error-title">${t.title}</h1>
      <p>${opts.message ?? t.body}</p>
      ${opts.culprit ? html`<p data-testid="error-culprit">En cause : ${opts.culprit}.</p>` : null}
      ${
        status >= 500 && opts.requestId
          ? html`<p class="muted">
              Identifiant de la demande : <code data-testid="request-id">${opts.requestId}</code>
            </p>`
          : null
      }
      <p><a class="button" href="/">Retour aux exercices</a></p>
    </section>`,
  });
}
