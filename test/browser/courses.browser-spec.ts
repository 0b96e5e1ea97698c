import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { AuthService } from '../../src/auth/auth.service';
import { InvitationService } from '../../src/auth/invitation.service';
import { instantToZoned } from '../../src/courses/time-zone';
import { ExerciseVersionStore } from '../../src/exercises/exercise-version.store';
import { ExercisesService } from '../../src/exercises/exercises.service';
import { Role } from '../../src/generated/prisma/enums';
import { root } from '../support/processes';
import { accessibilityProblems, BrowserStack, screenshot, type Student } from './browser-stack';

const GRADING_TIMEOUT_MS = 420_000;
const solution = (file: string) => readFileSync(join(root, 'exercises', 'hello-world', 'solutions', file), 'utf8');

/**
 * A teacher runs a course in a real browser, graded by the real worker: creates the course, imports
 * the roster (preview with a bad line, then import, invitation links), gives hello-world with a
 * deadline already passed and half credit late; two students accept their invitations and submit
 * (the reference: 6/6, a wrong solution: 4/6); the gradebook shows 3 and 2, the CSV the same; an
 * extension lifts the second to 4; the catalogue then changes the exercise, the teacher regrades it
 * from its page, follows the run to the end, and the matrix shows 4 and 6. Students get the 403 page
 * on the course pages.
 */
describe('instructor pages in a browser', () => {
  const stack = new BrowserStack();
  let prof: Student;
  const code = `DOCKER-${randomBytes(2).toString('hex').toUpperCase()}`;
  const tag = randomBytes(3).toString('hex');
  const emails = { full: `lea-${tag}@lycee.test`, partial: `hugo-${tag}@lycee.test` };
  const links: Record<string, string> = {};
  const password = 'un-mot-de-passe-correct';

  beforeAll(async () => {
    await stack.start();
    const email = `prof-${tag}@lycee.test`;
    const user = await new AuthService(stack.prisma).createUser({ email, role: Role.instructor });
    await new InvitationService(stack.prisma, stack.env).setPassword(user.id, password);
    prof = { id: user.id, email, password };
  });
  afterAll(async () => {
    const users = await stack.prisma.user.findMany({
      where: { email: { endsWith: `-${tag}@lycee.test` } },
      select: { id: true },
    });
    const ids = users.map((u) => u.id);
    await stack.prisma.submission.deleteMany({ where: { userId: { in: ids } } }).catch(() => undefined);
    await stack.prisma.course.deleteMany({ where: { code } }).catch(() => undefined);
    await stack.prisma.user.deleteMany({ where: { id: { in: ids } } }).catch(() => undefined);
    await stack.stop();
  });

  /** A student's cell for one assignment in the gradebook matrix (its link names the assignment). */
  const gradebookCell = (page: Page, email: string, assignmentId: string) =>
    page.locator(`tr[data-student="${email}"] td:has(> a[href*="/gradebook/${assignmentId}/"])`);
  const expectAccessible = async (page: Page) => expect(await accessibilityProblems(page)).toEqual([]);

  it('creates a course and imports its roster: preview with the bad line, then import with invitation links', async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, prof);
    await page.getByRole('link', { name: 'Cours', exact: true }).click();
    await page.getByLabel('Code du cours').fill(code);
    await page.getByLabel('Intitulé').fill('Docker, premier semestre');
    await Promise.all([
      page.waitForURL(`${stack.url}/courses/${code}`),
      page.getByRole('button', { name: 'Créer le cours' }).click(),
    ]);
    await expectAccessible(page);

    const csv = `email,name,group\n${emails.full},Léa Martin,TP1\nnot-an-email,Personne,TP1\n${emails.partial},Hugo Dupré,TP2\n`;
    await page.getByLabel('ou collez son contenu').fill(csv);
    await page.getByRole('button', { name: 'Prévisualiser' }).click();
    const result = page.getByTestId('roster-result');
    await expect(result.getByRole('status').innerText()).resolves.toMatch(
      /^Aperçu.*2 inscriptions nouvelles.*1 ligne en erreur/s,
    );
    await expect(page.getByTestId('roster-errors').innerText()).resolves.toContain(
      '3\tadresse e-mail invalide : « not-an-email »',
    );
    expect(await stack.prisma.enrolment.count({ where: { course: { code }, role: 'student' } })).toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'courses-01-roster-preview');

    await page.getByRole('button', { name: "Confirmer l'import" }).click();
    await expect(result.getByRole('status').innerText()).resolves.toMatch(/^Import terminé.*2 inscriptions nouvelles/s);
    const rows = await page.getByTestId('invitations').locator('tbody tr').allInnerTexts();
    for (const [who, email] of Object.entries(emails)) {
      const row = rows.find((r) => r.includes(email))!;
      links[who] = /https?:\/\/\S+\/invitation\/\S+/.exec(row)![0];
    }
    await expect(page.getByTestId('roster').innerText()).resolves.toContain('Hugo Dupré');
    await screenshot(page, 'courses-02-roster-imported');
    await context.close();
  });

  it('creates an assignment whose deadline has passed, late until tomorrow at half credit, and refuses a bad one', async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, prof);
    await page.goto(`${stack.url}/courses/${code}`);
    await page.locator('summary', { hasText: 'Nouveau devoir' }).click();
    await page.getByLabel('Exercice').selectOption('hello-world');
    await page
      .getByLabel('Échéance', { exact: true })
      .fill(instantToZoned(new Date(Date.now() - 3_600_000), 'Europe/Paris'));
    await page
      .getByLabel('Retard accepté jusqu’au (facultatif)')
      .fill(instantToZoned(new Date(Date.now() + 86_400_000), 'Europe/Paris'));
    await page.getByLabel('Part de la note en retard (0 à 1)').fill('1.5');
    await page.getByRole('button', { name: 'Créer le devoir' }).click();
    await expect(page.locator('#f-lateCredit-error').innerText()).resolves.toBe('doit être entre 0 et 1');
    expect(await stack.prisma.assignment.count({ where: { course: { code } } })).toBe(0);
    await expectAccessible(page);
    await screenshot(page, 'courses-03-assignment-error');

    await page.getByLabel('Part de la note en retard (0 à 1)').fill('0.5');
    await Promise.all([
      page.waitForURL(`${stack.url}/courses/${code}#assignments-title`),
      page.getByRole('button', { name: 'Créer le devoir' }).click(),
    ]);
    await expect(page.locator('table', { hasText: 'hello-world' }).innerText()).resolves.toMatch(/50 % jusqu'au/);
    await screenshot(page, 'courses-04-course');
    await context.close();
  });

  /** A student accepts their invitation, opens the assignment from the dashboard and submits; resolves on the graded page. */
  async function studentSubmits(who: 'full' | 'partial', source: string): Promise<string> {
    const { context, page } = await stack.newPage();
    await page.goto(links[who]);
    await page.getByLabel('Mot de passe (10 caractères au moins)').fill(password);
    await page.getByLabel('Confirmez le mot de passe').fill(password);
    await Promise.all([
      page.waitForURL(`${stack.url}/`),
      page.getByRole('button', { name: 'Enregistrer et me connecter' }).click(),
    ]);
    const assignments = page.getByTestId('assignments');
    await expect(assignments.innerText()).resolves.toMatch(/en retard : 50 % des points/);
    if (who === 'full') await screenshot(page, 'courses-05-student-dashboard');
    await assignments.getByRole('link', { name: /hello-world/ }).click();
    await expect(page.getByTestId('attempt-notice').innerText()).resolves.toMatch(/comptera pour\s+50 % des points/);
    if (who === 'full') {
      await expectAccessible(page);
      await screenshot(page, 'courses-06-exercise-late-notice');
    }
    await page.getByLabel('Commandes ou session de terminal').fill(source);
    await Promise.all([
      page.waitForURL(/\/submissions\/[0-9a-f-]{36}/),
      page.getByRole('button', { name: 'Envoyer pour correction' }).click(),
    ]);
    // Generous: the machine running the tests may be loaded (grading takes seconds when idle).
    await page.getByTestId('score').waitFor({ timeout: GRADING_TIMEOUT_MS });
    const score = await page.getByTestId('score').innerText();
    await context.close();
    return score;
  }

  it(
    'grades two students through the worker: the full solution and a partial one, both late',
    async () => {
      const [full, partial] = await Promise.all([
        studentSubmits('full', solution('reference.sh')),
        studentSubmits('partial', solution('wrong-ps-sans-a.sh')),
      ]);
      expect(full).toBe('6 / 6');
      expect(partial).toBe('4 / 6');
    },
    GRADING_TIMEOUT_MS + 60_000,
  );

  it('shows the late full solution counted at half in the gradebook, and the CSV has the same numbers', async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, prof);
    await page.goto(`${stack.url}/courses/${code}/gradebook`);
    const assignment = await stack.prisma.assignment.findFirstOrThrow({ where: { course: { code } } });
    const cell = (email: string) => gradebookCell(page, email, assignment.id);
    await expect(cell(emails.full).getByRole('link').innerText()).resolves.toBe('3');
    await expect(cell(emails.partial).getByRole('link').innerText()).resolves.toBe('2');
    await expect(cell(emails.full).innerText()).resolves.toMatch(/3[\s\S]*1 tent\.[\s\S]*retard/);
    await expect(page.locator('tfoot').innerText()).resolves.toContain('2,5');
    await expectAccessible(page);
    await screenshot(page, 'courses-07-gradebook');

    // Filtered on TP2: only Hugo.
    await page.getByLabel('Groupe').selectOption('=TP2');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await expect(page.locator('tbody tr').count()).resolves.toBe(1);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'CSV', exact: true }).click(),
    ]);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const records = parse(text, { bom: true, columns: true }) as Record<string, string>[];
    expect(records.map((r) => [r.email, r['hello-world'], r.total])).toEqual([
      [emails.partial, '2', '2'],
      [emails.full, '3', '3'],
    ]);

    // A cell opens the student's attempts with their checks.
    await page.goto(`${stack.url}/courses/${code}/gradebook`);
    await cell(emails.partial).getByRole('link').click();
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toContain('Hugo Dupré');
    await expect(page.locator('.check-fail').first().innerText()).resolves.toContain(
      'Les conteneurs arrêtés ont été listés',
    );
    await expect(page.locator('.gb-mark').innerText()).resolves.toContain('retard : compte pour 50 %');
    await expectAccessible(page);
    await screenshot(page, 'courses-08-gradebook-cell');
    await context.close();
  });

  it("grants an extension from the assignment page, and the partial student's late attempt then counts in full", async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, prof);
    await page.goto(`${stack.url}/courses/${code}`);
    await page.getByRole('link', { name: 'Modifier, prolongations' }).click();
    await page.getByLabel("Adresse e-mail de l'étudiant").fill('nobody@lycee.test');
    await page.getByRole('button', { name: 'Accorder' }).click();
    await expect(page.locator('#o-user-error').innerText()).resolves.toBe("cet étudiant n'est pas inscrit au cours");
    await page.getByLabel("Adresse e-mail de l'étudiant").fill(emails.partial);
    await page
      .getByLabel('Nouvelle échéance (facultatif)')
      .fill(instantToZoned(new Date(Date.now() + 86_400_000), 'Europe/Paris'));
    await Promise.all([page.waitForURL(/saved=1/), page.getByRole('button', { name: 'Accorder' }).click()]);
    await expect(page.getByTestId('overrides').innerText()).resolves.toContain(emails.partial);
    await expectAccessible(page);
    await screenshot(page, 'courses-09-extension');
    await page.goto(`${stack.url}/courses/${code}/gradebook`);
    const assignment = await stack.prisma.assignment.findFirstOrThrow({ where: { course: { code } } });
    await expect(gradebookCell(page, emails.partial, assignment.id).getByRole('link').innerText()).resolves.toBe('4');
    await context.close();
  });

  it(
    'regrades after the catalogue changes the exercise: the run is followed to the end, then the matrix shows the new scores',
    async () => {
      // The catalogue gives the first check 5 points instead of 3 (out of 8): the full solution, late,
      // now counts 8 × 50 % = 4, the partial one (extended, so in full) 6 of 8.
      const catalogue = mkdtempSync(join(tmpdir(), 'dockgrader-catalogue-'));
      cpSync(join(root, 'exercises'), catalogue, { recursive: true });
      const yaml = join(catalogue, 'hello-world', 'exercise.yaml');
      const before = readFileSync(yaml, 'utf8');
      writeFileSync(yaml, before.replace('    points: 3\n', '    points: 5\n'));
      expect(readFileSync(yaml, 'utf8')).not.toBe(before);
      const sync = (dir: string) =>
        new ExercisesService(stack.prisma, { ...stack.env, EXERCISES_DIR: dir }, new ExerciseVersionStore(stack.prisma))
          .syncCatalogue()
          .then(() => undefined);
      try {
        await sync(catalogue);
        const { context, page } = await stack.newPage();
        await stack.login(page, prof);
        await page.goto(`${stack.url}/exercises/hello-world`);
        expect(await page.getByLabel('La version actuelle').isChecked()).toBe(true);
        await Promise.all([
          page.waitForURL(/\/regrades\/[0-9a-f-]{36}$/),
          page.getByRole('button', { name: 'Recorriger toutes les soumissions de cet exercice' }).click(),
        ]);
        // Live progress, then the page reloads itself once the run is finished.
        await page.waitForFunction(
          () =>
            !document.querySelector('[data-regrade-events-url]') &&
            document.querySelector('[data-testid=regrade-done]')?.textContent ===
              document.querySelector('[data-testid=regrade-total]')?.textContent,
          undefined,
          { timeout: GRADING_TIMEOUT_MS, polling: 500 },
        );
        await expect(page.getByRole('status').first().innerText()).resolves.toMatch(/^\d+ \/ \d+ · Terminée : /);
        const changed = page.locator('[data-testid=regrade-item][data-changed=oui]');
        await expect(changed.filter({ hasText: emails.full }).getByTestId('after').innerText()).resolves.toBe('8 / 8');
        await expect(changed.filter({ hasText: emails.partial }).getByTestId('after').innerText()).resolves.toBe(
          '6 / 8',
        );
        await screenshot(page, 'courses-10-regrade-finished');

        await page.goto(`${stack.url}/courses/${code}/gradebook`);
        const assignment = await stack.prisma.assignment.findFirstOrThrow({ where: { course: { code } } });
        await expect(gradebookCell(page, emails.full, assignment.id).getByRole('link').innerText()).resolves.toBe('4');
        await expect(gradebookCell(page, emails.partial, assignment.id).getByRole('link').innerText()).resolves.toBe(
          '6',
        );
        await expect(page.locator('thead').innerText()).resolves.toContain('/ 8');
        await expectAccessible(page);
        await screenshot(page, 'courses-11-gradebook-after-regrade');
        await context.close();
      } finally {
        // Later suites (and their api, which syncs at start) expect the real catalogue.
        await sync(join(root, 'exercises'));
        rmSync(catalogue, { recursive: true, force: true });
      }
    },
    GRADING_TIMEOUT_MS + 60_000,
  );

  it('shows students the 403 page on every course page', async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, { id: '', email: emails.full, password });
    for (const path of ['/courses', `/courses/${code}`, `/courses/${code}/gradebook`]) {
      const res = await page.goto(`${stack.url}${path}`);
      expect(res?.status()).toBe(403);
      await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Action refusée');
      await expect(page.locator('.error-card').innerText()).resolves.toContain(
        'Ces pages sont réservées aux enseignants.',
      );
    }
    expect(await page.getByRole('link', { name: 'Cours', exact: true }).count()).toBe(0);
    const csv = await page.request.get(`${stack.url}/api/courses/${code}/gradebook.csv`);
    expect(csv.status()).toBe(403);
    await expectAccessible(page);
    await screenshot(page, 'courses-12-student-403');
    await context.close();
  });
});
