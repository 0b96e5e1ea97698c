import { html, type VNode } from './html';
import { layout } from './layout';

export interface LoginView {
  csrfToken: string;
  email?: string;
  next?: string;
  /** The form's refusal (wrong credentials, locked): one alert, never saying which field was wrong. */
  error?: string;
  /** A field left empty: said next to it. */
  missing?: { email?: string; password?: string };
  notice?: string;
}

export function loginPage(v: LoginView): VNode {
  return layout({
    title: 'Connexion',
    children: html`<section class="auth-card" aria-labelledby="login-title">
      <h1 id="login-title">Connexion</h1>
      <p class="lead">Connectez-vous pour voir vos exercices et suivre la correction de vos réponses.</p>
      ${v.notice ? html`<p class="alert alert-info" role="status">${v.notice}</p>` : null}
      ${v.error ? html`<p class="alert alert-error" role="alert" id="login-error">${v.error}</p>` : null}
      <form method="post" action="/login" class="stack" novalidate>
        <input type="hidden" name="_csrf" value=${v.csrfToken} />
        ${v.next ? html`<input type="hidden" name="next" value=${v.next} />` : null}
        <div class="field">
          <label for="email">Adresse e-mail</label>
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="username"
            required
            value=${v.email ?? ''}
            aria-invalid=${v.missing?.email ? 'true' : undefined}
            aria-describedby=${v.error ? 'login-error' : v.missing?.email ? 'email-error' : undefined}
          />
          ${v.missing?.email ? html`<p class="field-error" id="email-error">${v.missing.email}</p>` : null}
        </div>
        <div class="field">
          <label for="password">Mot de passe</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            aria-invalid=${v.missing?.password ? 'true' : undefined}
            aria-describedby=${v.missing?.password ? 'password-error' : undefined}
          />
          ${v.missing?.password ? html`<p class="field-error" id="password-error">${v.missing.password}</p>` : null}
        </div>
        <button type="submit" class="button button-primary">Se connecter</button>
      </form>
      <p class="muted small">
        Pas encore de compte ? Votre enseignant vous envoie un lien d'invitation pour choisir votre mot de passe.
      </p>
    </section>`,
  });
}

export interface InvitationView {
  token: string;
  email: string;
  csrfToken: string;
  error?: string;
}

export function invitationPage(v: InvitationView): VNode {
  return layout({
    title: 'Choisir mon mot de passe',
    children: html`<section class="auth-card" aria-labelledby="invite-title">
      <h1 id="invite-title">Bienvenue !</h1>
      <p class="lead">Choisissez le mot de passe de votre compte <strong>${v.email}</strong>.</p>
      <form method="post" action=${`/invitation/${v.token}`} class="stack" novalidate>
        <input type="hidden" name="_csrf" value=${v.csrfToken} />
        <input type="hidden" name="username" value=${v.email} autocomplete="username" />
        <div class="field">
          <label for="password">Mot de passe (10 caractères au moins)</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="new-password"
            required
            minlength="10"
            aria-invalid=${v.error ? 'true' : undefined}
            aria-describedby=${v.error ? 'password-error' : undefined}
          />
          ${v.error ? html`<p class="field-error" id="password-error">${v.error}</p>` : null}
        </div>
        <div class="field">
          <label for="confirm">Confirmez le mot de passe</label>
          <input id="confirm" name="confirm" type="password" autocomplete="new-password" required />
        </div>
        <button type="submit" class="button button-primary">Enregistrer et me connecter</button>
      </form>
    </section>`,
  });
}
