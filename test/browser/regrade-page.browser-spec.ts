import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { AuthService } from '../../src/auth/auth.service';
import { loadExercise, type LoadedExercise } from '../../src/exercises/exercise.loader';
import { Role } from '../../src/generated/prisma/enums';
import { waitForStatus } from '../support/pipeline';
import { root } from '../support/processes';
import { accessibilityProblems, BrowserStack, screenshot, SCREENSHOT_DIR, type Student } from './browser-stack';

/**
 * The regrade page in a real browser: an instructor starts a regrade of an exercise from its page,
 * lands on /regrades/{id}, watches done/total move live over the event stream up to the total,
 * then reads the before → after list; a student is refused the page and never sees the form.
 */
describe('regrade page in a browser', () => {
  const stack = new BrowserStack();
  let hello: LoadedExercise;
  let pupil: Student;
  let teacher: Student;
  const ids: string[] = [];

  beforeAll(async () => {
    hello = await loadExercise(join(root, 'exercises', 'hello-world'));
    await stack.start();
    pupil = await stack.student();
    teacher = await stack.student(Role.instructor);
    const { token } = await new AuthService(stack.prisma).issueToken(pupil.id);
    const wrong = hello.wrong.filter((w) => w.expectedScore > 0).map((w) => w.source);
    for (const source of [hello.reference.source, ...wrong, hello.reference.source]) {
      const res = await fetch(`${stack.url}/api/submissions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ exercise: 'hello-world', source }),
      });
      expect(res.status).toBe(202);
      ids.push(((await res.json()) as { id: string }).id);
    }
    for (const id of ids) await waitForStatus(stack.prisma, id, ['graded']);
  });
  afterAll(async () => {
    await stack.stop();
  });

  /** Records every done/total the page shows, across its own reload at the end (sessionStorage). */
  const recordProgress = (page: Page) =>
    page.evaluate(() => {
      const done = document.querySelector('[data-testid=regrade-done]');
      const total = document.querySelector('[data-testid=regrade-total]');
      const note = () => {
        const seen = JSON.parse(sessionStorage.getItem('seen') ?? '[]') as string[];
        seen.push(`${done?.textContent}/${total?.textContent}`);
        sessionStorage.setItem('seen', JSON.stringify(seen));
      };
      note();
      if (done) new MutationObserver(note).observe(done, { childList: true, characterData: true, subtree: true });
    });

  it('shows the progress reaching the total live, then the before → after list', async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, teacher);
    await page.goto(`${stack.url}/exercises/hello-world`);
    await page.getByLabel("La version d'origine (celle de la première correction)").check();
    await Promise.all([
      page.waitForURL(/\/regrades\/[0-9a-f-]{36}$/),
      page.getByRole('button', { name: 'Recorriger toutes les soumissions de cet exercice' }).click(),
    ]);
    const runUrl = page.url();
    await recordProgress(page);
    const total = String(ids.length);
    await page.waitForFunction(
      (n) =>
        document.querySelector('[data-testid=regrade-done]')?.textContent === n &&
        document.querySelectorAll('[data-testid=regrade-item]').length === Number(n) &&
        !document.querySelector('[data-regrade-events-url]'),
      total,
      { timeout: 170_000, polling: 200 },
    );
    expect(await page.getByTestId('regrade-total').innerText()).toBe(total);
    const seen = await page.evaluate(() => JSON.parse(sessionStorage.getItem('seen') ?? '[]') as string[]);
    const dones = seen.map((s) => Number(s.split('/')[0]));
    expect(dones).toEqual([...dones].sort((a, b) => a - b));
    expect(seen[seen.length - 1]).toBe(`${total}/${total}`);
    expect(await page.getByRole('status').first().innerText()).toContain(`Terminée : ${total} sur ${total}`);

    // Same definition as the first grade: every score stays, every row says so.
    const rows = page.getByTestId('regrade-item');
    for (let i = 0; i < ids.length; i++) {
      const row = rows.nth(i);
      expect(await row.getByTestId('before').innerText()).toBe(await row.getByTestId('after').innerText());
      expect(await row.innerText()).toContain('aucune vérification modifiée');
      expect(await row.innerText()).toContain(pupil.email);
    }
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, '20-regrade');

    // On a phone the finished run's bar spans its card, full (it was drawn 10em wide: half the card).
    await page.setViewportSize({ width: 375, height: 800 });
    const bar = await page.locator('[data-regrade-bar]').evaluate((el) => {
      const card = el.parentElement!;
      const style = getComputedStyle(card);
      const inner = card.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      const p = el as HTMLProgressElement;
      return { width: el.getBoundingClientRect().width, inner, value: p.value, max: p.max };
    });
    expect(bar.value).toBe(bar.max);
    expect(bar.inner).toBeGreaterThan(250);
    expect(Math.abs(bar.width - bar.inner)).toBeLessThan(1);
    await page.screenshot({ path: join(SCREENSHOT_DIR, '20-regrade-finished-375.png'), fullPage: true });
    await context.close();

    // A student: no regrade form, and the page is refused.
    const student = await stack.newPage();
    await stack.login(student.page, pupil);
    await student.page.goto(`${stack.url}/exercises/hello-world`);
    expect(await student.page.getByRole('button', { name: /Recorriger/ }).count()).toBe(0);
    const refused = await student.page.goto(runUrl);
    expect(refused?.status()).toBe(403);
    expect(await student.page.getByRole('heading', { level: 1 }).innerText()).toBe('Action refusée');
    await student.context.close();
  });
});
