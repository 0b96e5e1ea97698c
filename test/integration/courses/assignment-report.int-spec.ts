import { randomBytes } from 'node:crypto';
import { loadEnv } from '../../../src/config/env';
import { InvitationService } from '../../../src/auth/invitation.service';
import { PrismaService } from '../../../src/database/prisma.service';
import { Role } from '../../../src/generated/prisma/enums';
import { AssignmentReportService } from '../../../src/courses/assignment-report.service';
import { AssignmentsService } from '../../../src/courses/assignments.service';
import { CoursesService, ManagedCourse } from '../../../src/courses/courses.service';
import { GradebookService } from '../../../src/courses/gradebook.service';
import { RosterService } from '../../../src/courses/roster.service';
import { renderDocument } from '../../../src/web/views/html';
import { assignmentReportPage } from '../../../src/web/views/assignment-report-page';

const HOUR = 3_600_000;

/**
 * The assignment report on the run's PostgreSQL, from known submissions written as the intake and
 * the worker store them: exact histogram bins, the misconception ranking with its percentages and
 * example, the median attempts to full marks, and the same numbers on the rendered page.
 */
describe('assignment report on PostgreSQL', () => {
  const env = loadEnv(process.env);
  const prisma = new PrismaService(env);
  const courses = new CoursesService(prisma);
  const roster = new RosterService(prisma, new InvitationService(prisma, env));
  const assignments = new AssignmentsService(prisma);
  const gradebook = new GradebookService(prisma);
  const reports = new AssignmentReportService(prisma, gradebook);
  const tag = randomBytes(3).toString('hex');
  let course: ManagedCourse;
  let assignmentId: string;
  let exerciseId: string;
  let due: Date;
  const ids: Record<string, string> = {};

  const CHECKS = [
    { id: 'run', title: 'Le conteneur tourne', points: 4 },
    { id: 'port', title: 'Le port 8080 est publié', points: 3 },
    { id: 'volume', title: 'Les données sont dans un volume', points: 3 },
  ];
  const FAIL = (id: string) => `Échec de ${id} : relisez \`docker run -v\`.`;

  beforeAll(async () => {
    const prof = await prisma.user.create({
      data: { email: `prof-rep-${tag}@test.local`, displayName: 'Prof', role: Role.instructor },
    });
    const instructor = { id: prof.id, role: prof.role, email: prof.email };
    const ex = await prisma.exercise.create({
      data: { slug: `rep-${tag}`, title: 'Exercice du rapport', version: 'v1', maxPoints: 10 },
    });
    exerciseId = ex.id;
    const c = await courses.create(instructor, {
      code: `REP-${tag}`,
      title: 'Cours',
      term: '',
      timeZone: 'Europe/Paris',
    });
    course = await courses.managed(instructor, c.code);
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    await roster.import(
      course,
      `email,name,group\n${names.map((n) => `${n}-rep-${tag}@test.local,Élève ${n.toUpperCase()},G1`).join('\n')}\n`,
      { dryRun: false },
    );
    due = new Date(Math.floor(Date.now() / HOUR) * HOUR - 48 * HOUR);
    const a = await assignments.create(course, {
      exercise: ex.slug,
      dueAt: due,
      lateUntil: new Date(due.getTime() + 24 * HOUR),
      lateCredit: 0.5,
      counted: 'best',
      revealHiddenAfterDue: false,
    });
    assignmentId = a.id;
    const users = await prisma.user.findMany({ where: { email: { endsWith: `-rep-${tag}@test.local` } } });
    for (const u of users) ids[u.email[0]] = u.id;
  });
  afterAll(async () => {
    await prisma.submission.deleteMany({ where: { assignmentId } });
    await prisma.$disconnect();
  });

  /** One submission `hours` from the due date; `failed`: the checks it fails (null: grading failed). */
  async function submit(
    who: string,
    attempt: number,
    hours: number,
    failed: string[] | null,
    opts: { credit?: number; practice?: 'late' | 'attempts' } = {},
  ): Promise<string> {
    const s = await prisma.submission.create({
      data: {
        userId: ids[who],
        exerciseId,
        exerciseVersion: 'v1',
        source: 'docker ps',
        status: failed === null ? 'error' : 'graded',
        assignmentId,
        assignmentAttempt: attempt,
        credit: opts.credit ?? 1,
        practiceReason: opts.practice ?? null,
        createdAt: new Date(due.getTime() + hours * HOUR),
      },
    });
    if (failed !== null) {
      const checks = CHECKS.map((c) => ({
        id: c.id,
        title: c.title,
        passed: !failed.includes(c.id),
        points: failed.includes(c.id) ? 0 : c.points,
        maxPoints: c.points,
        message: failed.includes(c.id) ? FAIL(c.id) : `${c.id} réussie`,
        hidden: c.id === 'volume',
      }));
      await prisma.result.create({
        data: {
          submissionId: s.id,
          exerciseVersion: 'v1',
          score: checks.reduce((t, c) => t + c.points, 0),
          maxScore: 10,
          checks,
          transcript: [],
          imageDigests: {},
        },
      });
    }
    return s.id;
  }

  it('bins scores and times exactly, ranks the failed checks, and takes the median of attempts to full marks', async () => {
    // A: 4 then 10 (full marks at the 2nd). B: a failed grading (not an attempt), then 10 (1st).
    // C: late full solution, counted 5 (full marks at the 1st). D: 7 twice, never full; counted: the
    // first 7 (volume failed). E: 4 (port and volume failed), then a practice 10 (2nd).
    await submit('a', 1, -30, ['port', 'volume']);
    await submit('a', 2, -2, []);
    await submit('b', 1, -5, null);
    await submit('b', 2, -1, []);
    await submit('c', 1, 3, [], { credit: 0.5 });
    const d1 = await submit('d', 1, -10, ['volume']);
    await submit('d', 2, -0.5, ['volume']);
    const e1 = await submit('e', 1, -20, ['port', 'volume']);
    await submit('e', 2, 30, [], { credit: 0, practice: 'late' });

    const r = await reports.report(course, assignmentId);
    expect(r.students).toBe(6);
    expect(r.submitted).toBe(5);

    // Counted: A 10, B 10, C 5, D 7, E 4.
    expect(r.scores.graded).toBe(5);
    expect(r.scores.mean).toBeCloseTo(7.2, 10);
    expect(r.scores.median).toBe(7);
    expect(r.scores.binWidth).toBe(1);
    expect(r.scores.bins.map((b) => b.count)).toEqual([0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 2]);
    expect(r.scores.bins[10]).toEqual({ from: 10, to: 10, count: 2 });

    // Offsets −30 … +30 h: 3-hour bins (the smallest width giving at most 24), (from, to].
    expect(r.timing).toMatchObject({ total: 9, onTime: 7, late: 1, practice: 1, errors: 1, pending: 0, binHours: 3 });
    expect(r.timing.bins).toHaveLength(21);
    const counts = Object.fromEntries(
      r.timing.bins.filter((b) => b.count > 0).map((b) => [`${b.from}..${b.to}`, b.count]),
    );
    expect(counts).toEqual({
      '-33..-30': 1,
      '-21..-18': 1,
      '-12..-9': 1,
      '-6..-3': 1,
      '-3..0': 3,
      '0..3': 1,
      '27..30': 1,
    });

    // A 2, B 1, C 1, E 2 (the practice 10 counts as a try): median 1.5 over 4 students.
    expect(r.attemptsToFullMarks).toEqual({ median: 1.5, students: 4 });

    // On the counted submissions: volume failed by D and E (2/5), port by E (1/5), run by nobody.
    expect(r.checks.map((c) => [c.id, c.failed, c.evaluated, c.percent])).toEqual([
      ['volume', 2, 5, 40],
      ['port', 1, 5, 20],
      ['run', 0, 5, 0],
    ]);
    expect(r.checks[0]).toMatchObject({ hidden: true, feedback: FAIL('volume'), exampleSubmissionId: d1 });
    expect(r.checks[1]).toMatchObject({ feedback: FAIL('port'), exampleSubmissionId: e1 });
    expect(r.checks[2].exampleSubmissionId).toBeNull();

    // The page shows the same numbers: bars, percentages, feedback, example links.
    const page = renderDocument(
      assignmentReportPage({
        user: { email: 'prof@test.local', csrfToken: 'x', staff: true },
        timeZone: 'Europe/Paris',
        report: r,
      }),
    );
    expect([...page.matchAll(/data-chart="histo-notes"/g)]).toHaveLength(1);
    const bars = [...page.matchAll(/<g class="bar" data-count="(\d+)"/g)].map((m) => Number(m[1]));
    expect(bars.slice(0, 11)).toEqual([0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 2]);
    expect(bars.slice(11).reduce((t, n) => t + n, 0)).toBe(9);
    expect(page).toContain('note maximale (10) : 2 élèves');
    expect(page).toMatch(/<span class="mc-percent">40 %<\/span>/);
    expect(page).toContain(`href="/submissions/${d1}"`);
    expect(page).toContain('<code>docker run -v</code>');
  });

  it('is not found for an assignment of another course, and empty before any submission', async () => {
    const other = await prisma.exercise.create({
      data: { slug: `rep2-${tag}`, title: 'Autre', version: 'v1', maxPoints: 5 },
    });
    const a = await assignments.create(course, {
      exercise: other.slug,
      dueAt: new Date(),
      counted: 'last',
      lateCredit: 0,
      revealHiddenAfterDue: false,
    });
    const empty = await reports.report(course, a.id);
    expect(empty).toMatchObject({
      submitted: 0,
      scores: { graded: 0, mean: null, median: null },
      timing: { total: 0, bins: [] },
      attemptsToFullMarks: { median: null, students: 0 },
      checks: [],
    });
    expect(empty.scores.bins.every((b) => b.count === 0)).toBe(true);
    const missing = '00000000-0000-4000-8000-000000000000';
    await expect(reports.report(course, missing)).rejects.toMatchObject({ code: 'not_found' });
  });
});
