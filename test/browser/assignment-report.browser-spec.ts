import { join } from 'node:path';
import { AuthService } from '../../src/auth/auth.service';
import { InvitationService } from '../../src/auth/invitation.service';
import { AssignmentsService } from '../../src/courses/assignments.service';
import { CoursesService } from '../../src/courses/courses.service';
import { RosterService } from '../../src/courses/roster.service';
import { loadExercise, type LoadedExercise } from '../../src/exercises/exercise.loader';
import { Role } from '../../src/generated/prisma/enums';
import { root } from '../support/processes';
import { accessibilityProblems, BrowserStack, screenshot, type Student } from './browser-stack';

/**
 * The assignment report in a real browser, on submissions graded by the real worker: a course whose
 * deadline has passed (late window at half credit), one student sends the full solution and one a
 * partial one; the instructor's report shows both in the score histogram and the partial
 * student's failed checks at the top of the misconception table, with the feedback and a link to
 * the failing submission. A student gets 403, page and JSON.
 */
describe('assignment report in a browser', () => {
  const stack = new BrowserStack();
  /** The worker's log, to say why grading did not finish. */
  const worker = () => (stack as unknown as { worker?: { output: () => string; exitCode: number | null } }).worker;
  const workerOutput = (): string => worker()?.output() ?? '(no worker)';
  const workerExited = (): boolean => worker()?.exitCode !== null;
  let hello: LoadedExercise;
  let instructor: Student;
  let full: Student;
  let partial: Student;
  let code = '';
  let assignmentId = '';
  let partialSubmission = '';
  const made: string[] = [];

  beforeAll(async () => {
    hello = await loadExercise(join(root, 'exercises', 'hello-world'));
    await stack.start();
    full = await stack.student();
    partial = await stack.student();
    const auth = new AuthService(stack.prisma);
    const prof = await auth.createUser({ email: `prof-${full.id.slice(0, 8)}@lycee.test`, role: Role.instructor });
    made.push(prof.id);
    instructor = { id: prof.id, email: prof.email, password: 'mot-de-passe-du-prof' };
    await new InvitationService(stack.prisma, stack.env).setPassword(prof.id, instructor.password);

    const courses = new CoursesService(stack.prisma);
    const principal = { id: prof.id, role: Role.instructor, email: prof.email };
    code = `RAPPORT-${full.id.slice(0, 8)}`;
    await courses.create(principal, { code, title: 'Docker, rapport', term: '', timeZone: 'Europe/Paris' });
    const course = await courses.managed(principal, code);
    await new RosterService(stack.prisma, new InvitationService(stack.prisma, stack.env)).import(
      course,
      `email,name,group\n${full.email},Élève Complet,A\n${partial.email},Élève Partiel,A\n`,
      { dryRun: false },
    );
    const a = await new AssignmentsService(stack.prisma).create(course, {
      exercise: 'hello-world',
      dueAt: new Date(Date.now() - 3_600_000),
      lateUntil: new Date(Date.now() + 86_400_000),
      lateCredit: 0.5,
      counted: 'best',
      revealHiddenAfterDue: false,
    });
    assignmentId = a.id;

    // Both students submit through the API with the assignment, as the course's exercise form does.
    const send = async (who: Student, source: string) => {
      const { token } = await auth.issueToken(who.id);
      const res = await fetch(`${stack.url}/api/submissions`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ assignment: assignmentId, source }),
      });
      if (res.status !== 202 && res.status !== 201) throw new Error(`submission: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    };
    const wrong = hello.wrong.find((w) => w.file.includes('wrong-ps-sans-a'))!;
    const ids = [await send(full, hello.reference.source), await send(partial, wrong.source)];
    partialSubmission = ids[1];
    // Two gradings on a fresh worker (no warm sandbox) of a machine shared with other runs; a worker
    // that exited (images not built…) ends the wait at once with its reason.
    const deadline = Date.now() + 330_000;
    for (;;) {
      const rows = await stack.prisma.submission.findMany({ where: { id: { in: ids } }, select: { status: true } });
      if (rows.every((r) => r.status === 'graded')) break;
      if (workerExited() || Date.now() > deadline)
        throw new Error(`not graded: ${JSON.stringify(rows)}\nworker: ${workerOutput().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 420_000);

  afterAll(async () => {
    if (stack.prisma) {
      await stack.prisma.submission.deleteMany({ where: { assignmentId } }).catch(() => undefined);
      await stack.prisma.course.deleteMany({ where: { code } }).catch(() => undefined);
      await stack.prisma.user.deleteMany({ where: { id: { in: made } } }).catch(() => undefined);
    }
    await stack.stop();
  });

  it("shows the histogram and the partial student's failed checks, ranked, with feedback and an example", async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, instructor);
    const res = await page.goto(`${stack.url}/courses/${code}/assignments/${assignmentId}/report`);
    expect(res?.status()).toBe(200);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(
      `Rapport : ${hello.definition.title}`,
    );

    // Score histogram: two students, late at half credit: 6 × 0.5 = 3 and 4 × 0.5 = 2 (of 6).
    const chart = page.getByRole('img', { name: /Répartition des notes retenues/ });
    await expect(chart.count()).resolves.toBe(1);
    const bars = await page
      .locator('[data-chart="histo-notes"] g.bar')
      .evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-label'), Number(g.getAttribute('data-count'))]));
    expect(bars.filter(([, n]) => (n as number) > 0)).toEqual([
      ['de 1,8 à moins de 2,4 points', 1],
      ['de 3 à moins de 3,6 points', 1],
    ]);
    await expect(page.getByTestId('submissions-total').innerText()).resolves.toBe('2');
    // Numbers readable as text, in the chart itself.
    await expect(page.locator('[data-chart="histo-notes"] text', { hasText: /^\s*1\s*$/ }).count()).resolves.toBe(2);

    // Misconceptions: the checks the partial student failed come first, at 50 %, with their feedback.
    const failed = hello.definition.checks.filter((c) => ['listed-all-containers', 'two-containers'].includes(c.id));
    expect(failed).toHaveLength(2);
    const rows = page.getByTestId('misconceptions').locator('tbody tr');
    const top = await rows.evaluateAll((trs) =>
      trs.map((tr) => [tr.getAttribute('data-check'), tr.querySelector('.mc-percent')?.textContent]),
    );
    expect(top.slice(0, 2).map(([id]) => id)).toEqual(expect.arrayContaining(failed.map((c) => c.id)));
    expect(top.slice(0, 2).map(([, p]) => p)).toEqual(['50 %', '50 %']);
    expect(top.slice(2).map(([, p]) => p)).toEqual(['0 %', '0 %']);
    for (const c of failed) {
      const row = page.locator(`tr[data-check="${c.id}"]`);
      await expect(row.locator('th').innerText()).resolves.toContain(c.title);
      expect((await row.locator('td').nth(1).innerText()).replace(/\s+/g, ' ')).toBe(
        c.feedback.fail.replace(/`/g, '').replace(/\s+/g, ' '),
      );
    }
    expect(await accessibilityProblems(page)).toEqual([]);
    await screenshot(page, '40-assignment-report');

    // The example link opens the partial student's graded submission.
    await Promise.all([
      page.waitForURL(`${stack.url}/submissions/${partialSubmission}`),
      page.locator(`tr[data-check="${failed[0].id}"] a`).click(),
    ]);
    await expect(page.getByTestId('score').innerText()).resolves.toBe(`4 / ${hello.maxScore}`);
    await context.close();
  });

  it('gives a student the 403 page and a 403 from the JSON API', async () => {
    const { context, page } = await stack.newPage();
    await stack.login(page, partial);
    const res = await page.goto(`${stack.url}/courses/${code}/assignments/${assignmentId}/report`);
    expect(res?.status()).toBe(403);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Action refusée');
    expect(await page.locator('[data-chart]').count()).toBe(0);
    const api = await page.request.get(`${stack.url}/api/courses/${code}/assignments/${assignmentId}/report`);
    expect(api.status()).toBe(403);
    await context.close();
  });
});
