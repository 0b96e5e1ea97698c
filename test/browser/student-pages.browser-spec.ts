import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { loadExercise, type LoadedExercise } from '../../src/exercises/exercise.loader';
import { root } from '../support/processes';
import { accessibilityProblems, BrowserStack, screenshot, SCREENSHOT_DIR, type Student } from './browser-stack';

/**
 * The student web app in a real browser, end to end: log in, read an exercise, submit from the
 * form, watch it graded live over the event stream, read the feedback; and the security rules
 * (CSRF, throttling, another student's work, logout) through the pages. Every page is scanned
 * for accessibility problems and photographed (test-results/screenshots/).
 */
describe('student pages in a browser', () => {
  const stack = new BrowserStack();
  let threeDbs: LoadedExercise;
  let alice: Student;
  let aliceGraded = ''; // id of alice's graded reference submission

  beforeAll(async () => {
    threeDbs = await loadExercise(join(root, 'exercises', 'three-databases'));
    await stack.start();
    alice = await stack.student();
  });
  afterAll(async () => {
    await stack.stop();
  });

  const expectAccessible = async (page: Page) => expect(await accessibilityProblems(page)).toEqual([]);

  /** Fills the exercise form and sends it; resolves on the submission page. */
  async function submitFromForm(page: Page, slug: string, source: string): Promise<string> {
    await page.goto(`${stack.url}/exercises/${slug}`);
    await page.getByLabel('Commandes ou session de terminal').fill(source);
    await Promise.all([
      page.waitForURL(/\/submissions\/[0-9a-f-]{36}/),
      page.getByRole('button', { name: 'Envoyer pour correction' }).click(),
    ]);
    return /\/submissions\/([0-9a-f-]{36})/.exec(page.url())![1];
  }

  it('shows the login page, refuses a wrong password without saying whether the account exists', async () => {
    const { context, page } = await stack.newPage();
    await page.goto(`${stack.url}/`);
    expect(page.url()).toBe(`${stack.url}/login`);
    await expectAccessible(page);
    await screenshot(page, '01-login');

    const attempt = async (email: string) => {
      await page.getByLabel('Adresse e-mail').fill(email);
      await page.getByLabel('Mot de passe').fill('pas-le-bon-mot-de-passe');
      await page.getByRole('button', { name: 'Se connecter' }).click();
      return page.getByRole('alert').innerText();
    };
    const known = await attempt(alice.email);
    const unknown = await attempt('personne@lycee.test');
    expect(known).toBe('Adresse e-mail ou mot de passe incorrect.');
    expect(unknown).toBe(known);
    // The typed email is kept, the password is not.
    expect(await page.getByLabel('Adresse e-mail').inputValue()).toBe('personne@lycee.test');
    expect(await page.getByLabel('Mot de passe').inputValue()).toBe('');
    await screenshot(page, '02-login-error');
    await context.close();
  });

  it('lets an invited student choose a password and land on the dashboard, grouped by chapter', async () => {
    const inv = await stack.invitation();
    const { context, page } = await stack.newPage();
    await page.goto(inv.link);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Bienvenue !');
    await expectAccessible(page);
    await screenshot(page, '03-invitation');
    await page.getByLabel('Mot de passe (10 caractères au moins)').fill('court');
    await page.getByLabel('Confirmez le mot de passe').fill('court');
    await page.getByRole('button', { name: 'Enregistrer et me connecter' }).click();
    await expect(page.locator('#password-error').innerText()).resolves.toMatch(/au moins 10 caractères/);
    await page.getByLabel('Mot de passe (10 caractères au moins)').fill('un-mot-de-passe-correct');
    await page.getByLabel('Confirmez le mot de passe').fill('un-mot-de-passe-correct');
    await Promise.all([
      page.waitForURL(`${stack.url}/`),
      page.getByRole('button', { name: 'Enregistrer et me connecter' }).click(),
    ]);
    await expect(
      page.getByRole('heading', { level: 2, name: '2. Découvrir les bases de Docker' }).count(),
    ).resolves.toBe(1);
    await expect(page.getByRole('link', { name: threeDbs.definition.title }).count()).resolves.toBe(1);
    // The link is spent.
    const again = await page.goto(inv.link);
    expect(again?.status()).toBe(404);
    await context.close();
  });

  it('grades the three-databases reference submitted from its page: live progress, then full marks', async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, alice);
    await expectAccessible(page);
    await screenshot(page, '04-dashboard-empty');

    await page.goto(`${stack.url}/exercises/three-databases`);
    await expectAccessible(page);
    await screenshot(page, '05-exercise');
    const id = await submitFromForm(page, 'three-databases', threeDbs.reference.source);
    // Progress first: a replayed command shown live (the event stream), before the result.
    await page.locator('[data-progress-steps] li').first().waitFor({ timeout: 120_000 });
    await screenshot(page, '06-submission-progress');
    await page.getByTestId('score').waitFor({ timeout: 170_000 });
    expect(await page.getByTestId('score').innerText()).toBe(`${threeDbs.maxScore} / ${threeDbs.maxScore}`);
    aliceGraded = id;
    expect(await page.locator('.check-fail').count()).toBe(0);
    // The transcript, with the engine state after each command: postgres stopped with an error.
    await page.locator('summary', { hasText: 'Déroulé des commandes' }).click();
    await expect(
      page.locator('.engine-state', { hasText: /postgres.*arrêté, code [1-9]/ }).count(),
    ).resolves.toBeGreaterThan(0);
    await expectAccessible(page);
    await screenshot(page, '07-submission-graded');

    // The dashboard and the history now show it.
    await page.goto(`${stack.url}/`);
    const card = page.locator('.exercise-card', { hasText: threeDbs.definition.title });
    await expect(card.innerText()).resolves.toContain(`${threeDbs.maxScore} / ${threeDbs.maxScore}`);
    await screenshot(page, '08-dashboard');
    await page.goto(`${stack.url}/submissions`);
    await expect(page.locator(`a[href="/submissions/${id}"]`).count()).resolves.toBe(1);
    await expectAccessible(page);
    await screenshot(page, '09-history');
    await context.close();
  });

  it("shows a wrong solution's failing check with its French feedback", async () => {
    const wrong = threeDbs.wrong.find((w) => w.file.includes('postgres-sans-mot-de-passe'))!;
    const { context, page } = await stack.newPage();
    await stack.login(page, alice);
    await submitFromForm(page, 'three-databases', wrong.source);
    await page.getByTestId('score').waitFor({ timeout: 170_000 });
    expect(await page.getByTestId('score').innerText()).toBe(`${wrong.expectedScore} / ${threeDbs.maxScore}`);
    const failMessages = threeDbs.definition.checks.filter((c) => !c.hidden).map((c) => c.feedback.fail);
    const shown = await page.locator('.check-fail .check-message').allInnerTexts();
    expect(shown.length).toBeGreaterThan(0);
    for (const text of shown) expect(failMessages.map((m) => m.replace(/`/g, ''))).toContain(text.replace(/`/g, ''));
    await screenshot(page, '10-submission-wrong');
    await context.close();
  });

  it('shows what a submission printed as text: script and onerror payloads do not run', async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, alice);
    const payload = `echo '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'`;
    await submitFromForm(page, 'three-databases', payload);
    await page.getByTestId('score').waitFor({ timeout: 170_000 });
    await page.locator('summary', { hasText: 'Déroulé des commandes' }).click();
    const output = await page.locator('pre.output').first().innerText();
    expect(output).toContain('<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    expect(await page.locator('img[src="x"]').count()).toBe(0);
    await screenshot(page, '11-submission-xss');
    await context.close();
  });

  it("gives another student a 404 on the first one's submission, page and event stream", async () => {
    const bob = await stack.student();
    const { context, page } = await stack.newPage();
    await stack.login(page, bob);
    const res = await page.goto(`${stack.url}/submissions/${aliceGraded}`);
    expect(res?.status()).toBe(404);
    const body = await page.content();
    expect(body).not.toContain(alice.email);
    expect(await page.getByTestId('score').count()).toBe(0);
    await expectAccessible(page);
    await screenshot(page, '12-not-found');
    const events = await page.request.get(`${stack.url}/api/submissions/${aliceGraded}/events`);
    expect([403, 404]).toContain(events.status());
    await context.close();
  });

  it('shows nothing private after logout, even with the back button', async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, alice);
    await page.goto(`${stack.url}/submissions/${aliceGraded}`);
    await page.getByTestId('score').waitFor();
    await Promise.all([page.waitForURL(/\/login/), page.getByRole('button', { name: 'Se déconnecter' }).click()]);
    await expect(page.getByRole('status').innerText()).resolves.toBe('Vous êtes déconnecté.');
    await page.goBack();
    await page.waitForLoadState('load');
    expect(page.url()).toMatch(/\/login/);
    expect(await page.getByTestId('score').count()).toBe(0);
    expect(await page.content()).not.toContain(alice.email);
    await context.close();
  });

  it('refuses state-changing forms without a valid CSRF token, and keeps the draft', async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, alice);
    // The session cookie alone (what a cross-site form would carry) is not enough.
    const forged = await page.request.post(`${stack.url}/exercises/three-databases`, {
      multipart: { source: 'docker run -d --name redis redis' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    const logout = await page.request.post(`${stack.url}/logout`, { form: { _csrf: 'wrong' }, maxRedirects: 0 });
    expect(logout.status()).toBe(403);
    const login = await page.request.post(`${stack.url}/login`, {
      form: { email: alice.email, password: alice.password },
      maxRedirects: 0,
    });
    expect(login.status()).toBe(403);
    await page.goto(`${stack.url}/`);
    expect(page.url()).toBe(`${stack.url}/`); // still logged in: the forged logout did nothing

    // A stale token after typing a long answer: the 403 page, and the draft is back on the form.
    await page.goto(`${stack.url}/exercises/three-databases`);
    const text = 'docker run -d --name mongo mongo\n# un long brouillon';
    await page.getByLabel('Commandes ou session de terminal').fill(text);
    await page.waitForTimeout(500); // the draft is saved 300 ms after typing stops
    await page
      .locator('form[data-draft-form] input[name=_csrf]')
      .evaluate((el) => ((el as HTMLInputElement).value = 'périmé'));
    await page.getByRole('button', { name: 'Envoyer pour correction' }).click();
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Action refusée');
    await screenshot(page, '13-forbidden');
    await page.goto(`${stack.url}/exercises/three-databases`);
    expect(await page.getByLabel('Commandes ou session de terminal').inputValue()).toBe(text);
    await context.close();
  });

  it('says next to the field what is wrong with an answer, keeping the text typed', async () => {
    const { context, page } = await stack.newPage(375);
    await stack.login(page, alice);
    await page.goto(`${stack.url}/exercises/three-databases`);
    await page.getByRole('button', { name: 'Envoyer pour correction' }).click();
    await expect(page.locator('#source-error').innerText()).resolves.toMatch(/vide/);
    const refused = 'docker run -d --name redis redis\nnano Dockerfile';
    await page.getByLabel('Commandes ou session de terminal').fill(refused);
    await page.getByRole('button', { name: 'Envoyer pour correction' }).click();
    await expect(page.locator('#source-error').innerText()).resolves.toMatch(/^Ligne 2 refusée/);
    expect(await page.getByLabel('Commandes ou session de terminal').inputValue()).toBe(refused);
    await expectAccessible(page);
    await page.screenshot({ path: join(SCREENSHOT_DIR, '14-exercise-error-375.png'), fullPage: true });
    await context.close();
  });

  it('submits with the keyboard alone', async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, alice);
    await page.goto(`${stack.url}/exercises/hello-world`);
    // Tab from the top of the page to the answer field, type, tab to the button, press Enter.
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.id === 'source')) break;
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('source');
    await page.keyboard.type('docker run hello-world');
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.textContent === 'Envoyer pour correction')) break;
    }
    await Promise.all([page.waitForURL(/\/submissions\/[0-9a-f-]{36}/), page.keyboard.press('Enter')]);
    await page.getByTestId('score').waitFor({ timeout: 170_000 });
    await context.close();
  });

  it('shows an infrastructure error as such, never as a zero', async () => {
    const exercise = await stack.prisma.exercise.findUniqueOrThrow({ where: { slug: 'three-databases' } });
    const failed = await stack.prisma.submission.create({
      data: {
        userId: alice.id,
        exerciseId: exercise.id,
        exerciseVersion: exercise.version,
        source: 'docker ps',
        status: 'error',
        errorMessage: 'the sandbox stopped during the replay (destroyed)',
        finishedAt: new Date(),
      },
    });
    const { context, page } = await stack.newPage();
    await stack.login(page, alice);
    await page.goto(`${stack.url}/submissions/${failed.id}`);
    await expect(page.getByRole('alert').innerText()).resolves.toContain(
      'Erreur du service, cette tentative ne compte pas',
    );
    expect(await page.getByTestId('score').count()).toBe(0);
    expect(await page.content()).not.toContain('sandbox stopped'); // the internal reason stays internal
    await expectAccessible(page);
    await screenshot(page, '15-submission-error');
    await context.close();
  });

  it('locks an account after 10 failed logins, saying in French when to retry', async () => {
    const carol = await stack.student();
    const { context, page } = await stack.newPage();
    await page.goto(`${stack.url}/login`);
    for (let i = 0; i < 10; i++) {
      await page.getByLabel('Adresse e-mail').fill(carol.email);
      await page.getByLabel('Mot de passe').fill(`faux-${i}`);
      await page.getByRole('button', { name: 'Se connecter' }).click();
      await page.getByRole('alert').waitFor();
    }
    const message = await page.getByRole('alert').innerText();
    expect(message).toMatch(/^Trop de tentatives de connexion\. Réessayez dans 15 minutes \(à \d\d h \d\d\)\.$/);
    // Even the right password now waits.
    await page.getByLabel('Adresse e-mail').fill(carol.email);
    await page.getByLabel('Mot de passe').fill(carol.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/^Trop de tentatives/);
    expect(page.url()).toMatch(/\/login$/);
    await screenshot(page, '16-login-locked');
    await context.close();
  });
});
