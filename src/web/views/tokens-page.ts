import type { TokenView } from '../../auth/auth.service';
import { formatDate } from './format';
import { html, type VNode } from './html';
import { layout, type PageUser } from './layout';

/** `/tokens`: "Mes jetons", the user's API tokens, each revocable. */
export function tokensPage({ user, tokens, notice }: { user: PageUser; tokens: TokenView[]; notice?: string }): VNode {
  return layout({
    title: 'Mes jetons',
    user,
    current: 'tokens',
    children: html`<h1>Mes jetons</h1>
      <p>
        Les jetons d'API donnent accès à votre compte depuis un script ou une plateforme. Révoquez ceux dont vous ne
        vous servez plus : ils sont refusés immédiatement.
      </p>
      ${notice ? html`<p class="alert alert-success" role="status">${notice}</p>` : null}
      ${
        tokens.length === 0
          ? html`<p class="muted">Vous n'avez aucun jeton.</p>`
          : html`<div class="table-wrap">
              <table class="history">
                <thead>
                  <tr>
                    <th scope="col">Nom</th>
                    <th scope="col">Créé le</th>
                    <th scope="col">Dernière utilisation</th>
                    <th scope="col">État</th>
                    <th scope="col"><span class="visually-hidden">Action</span></th>
                  </tr>
                </thead>
                <tbody>
                  ${tokens.map(
                    (t) =>
                      html`<tr data-testid="token" data-token-id=${t.id}>
                        <td>${t.name}</td>
                        <td>${formatDate(t.createdAt)}</td>
                        <td data-testid="token-last-used">${t.lastUsedAt ? formatDate(t.lastUsedAt) : 'jamais'}</td>
                        <td>
                          ${
                            t.revokedAt
                              ? html`<span class="badge badge-muted">révoqué le ${formatDate(t.revokedAt)}</span>`
                              : html`<span class="badge badge-graded">actif</span>`
                          }
                        </td>
                        <td>
                          ${
                            t.revokedAt
                              ? null
                              : html`<form method="post" action=${`/tokens/${t.id}/revoke`} class="inline-form">
                                  <input type="hidden" name="_csrf" value=${user.csrfToken} />
                                  <button type="submit" class="button-link">Révoquer</button>
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
