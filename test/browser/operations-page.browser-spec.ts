import { Role } from '../../src/generated/prisma/enums';
import { accessibilityProblems, BrowserStack, screenshot } from './browser-stack';

/**
 * The operations page in a real browser, against the built api and a real worker: who may see it,
 * what it shows (services, queue, workers and their pool, recent failures without their stack),
 * and its link to the queue dashboard working with the same session.
 */
describe('operations page in a browser', () => {
  const stack = new BrowserStack();
  let failedId = '';

  beforeAll(async () => {
    await stack.start();
    // A submission that ended in internal_error: its first line is shown, never its stack.
    const owner = await stack.student();
    const exercise = await stack.prisma.exercise.findFirstOrThrow({ where: { slug: 'three-databases' } });
    failedId = (
      await stack.prisma.submission.create({
        data: {
          userId: owner.id,
          exerciseId: exercise.id,
          exerciseVersion: exercise.version,
          source: 'docker ps',
          status: 'internal_error',
          finishedAt: new Date(),
          errorMessage: 'TypeError: boom in the evaluator\n    at evaluate (check.evaluator.ts:1:1)',
        },
      })
    ).id;
  });
  afterAll(async () => {
    await stack.prisma.submission.deleteMany({ where: { id: failedId } });
    await stack.stop();
  });

  it('sends a visitor without a session to the login page and refuses a student in French', async () => {
    const { context, page } = await stack.newPage();
    await page.goto(`${stack.url}/admin/operations`);
    expect(new URL(page.url()).pathname).toBe('/login');

    await stack.login(page, await stack.student());
    const response = await page.goto(`${stack.url}/admin/operations`);
    expect(response?.status()).toBe(403);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Action refusée');
    expect(await page.locator('main').innerText()).toContain('réservée aux administrateurs');
    await context.close();
  });

  it('shows an admin the services, the queue, the workers with their pool, and recent failures', async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, await stack.student(Role.admin));
    const response = await page.goto(`${stack.url}/admin/operations`);
    expect(response?.status()).toBe(200);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Exploitation');

    // Every readiness check has its row; with the stack's worker running, all are up.
    for (const name of ['postgres', 'redis', 'docker', 'imageStore', 'workers'])
      expect(await page.getByTestId(`service-${name}`).innerText()).toContain('OK');
    expect(await page.getByTestId('overall').innerText()).toBe('Tous les services répondent.');
    expect(await page.getByTestId('service-workers').innerText()).toContain('actif(s)');

    expect(await page.getByTestId('queue').innerText()).toContain('En attente');
    const workers = page.getByTestId('workers').locator('tbody tr');
    expect(await workers.count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('pool').innerText()).toContain('Objectif de la réserve');

    const failed = page.getByTestId('failed-submissions');
    expect(await failed.innerText()).toContain('TypeError: boom in the evaluator');
    expect(await failed.innerText()).not.toContain('check.evaluator.ts');
    expect(await failed.locator(`a[href="/submissions/${failedId}"]`).count()).toBe(1);

    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, '20-operations');

    // The queue dashboard opens with the same session.
    await Promise.all([page.waitForURL(/\/admin\/queues/), page.getByRole('link', { name: /bull-board/ }).click()]);
    expect(new URL(page.url()).pathname).toMatch(/^\/admin\/queues/);
    expect(await page.title()).not.toMatch(/connexion/i);
    await context.close();
  });
});
