import type { ComponentChildren } from 'preact';
import { html, type VNode } from './html';

/** The signed-in user as the page header shows them, with the CSRF token of the logout form. */
export interface PageUser {
  email: string;
  csrfToken: string;
  /** Instructors and admins: the navigation shows their courses. */
  staff?: boolean;
}

export interface LayoutProps {
  title: string;
  user?: PageUser;
  /** Which navigation entry is current (aria-current). */
  current?: 'dashboard' | 'history' | 'tokens' | 'courses';
  /** Extra <head> elements (e.g. the no-JS refresh of a submission being graded). */
  head?: VNode | null;
  children: ComponentChildren;
}

/** The frame of every page: header with navigation and logout, main content, footer. */
export function layout({ title, user, current, head, children }: LayoutProps): VNode {
  return html`<html lang="fr">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>${title} · dockgrader</title>
      <link rel="stylesheet" href="/assets/app.css" />
      <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
      <script type="module" src="/assets/app.js"></script>
      ${head ?? null}
    </head>
    <body>
      <a class="skip-link" href="#contenu">Aller au contenu</a>
      <header class="site-header">
        <div class="wrap header-inner">
          <a class="brand" href="/"><span class="brand-mark" aria-hidden="true">▣</span> dockgrader</a>
          ${
            user
              ? html`<nav class="site-nav" aria-label="Navigation principale">
                  <a href="/" aria-current=${current === 'dashboard' ? 'page' : undefined}>Exercices</a>
                  <a href="/submissions" aria-current=${current === 'history' ? 'page' : undefined}>Mes tentatives</a>
                  <a href="/tokens" aria-current=${current === 'tokens' ? 'page' : undefined}>Mes jetons</a>
                  ${
                    user.staff
                      ? html`<a href="/courses" aria-current=${current === 'courses' ? 'page' : undefined}>Cours</a>`
                      : null
                  }
                  <span class="who" title=${user.email}>${user.email}</span>
                  <form method="post" action="/logout" class="inline-form">
                    <input type="hidden" name="_csrf" value=${user.csrfToken} />
                    <button type="submit" class="button-link">Se déconnecter</button>
                  </form>
                </nav>`
              : null
          }
        </div>
      </header>
      <main id="contenu" class="wrap" tabindex="-1">${children}</main>
      <footer class="site-footer">
        <div class="wrap">dockgrader · correction automatique des exercices du cours Docker</div>
      </footer>
    </body>
  </html>`;
}
