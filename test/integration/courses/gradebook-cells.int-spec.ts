import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { loadEnv } from '../../../src/config/env';
import { PrismaService } from '../../../src/database/prisma.service';
import { Role } from '../../../src/generated/prisma/enums';
import { AssignmentsService } from '../../../src/courses/assignments.service';
import { CoursesService, ManagedCourse } from '../../../src/courses/courses.service';
import { AssignmentSubmissionRow, cellOf, GradebookService } from '../../../src/courses/gradebook.service';

const MINUTE = 60_000;

/** A result out of 10, stored as the worker and regrades store one (the score copy follows the newest). */
function storeResult(prisma: PrismaService, submissionId: string, attempt: number, score: number) {
  return prisma.result.create({
    data: {
      submissionId,
      attempt,
      exerciseVersion: 'v1',
      score,
      maxScore: 10,
      checks: [],
      transcript: [],
      imageDigests: {},
    },
  });
}

type Status = 'queued' | 'running' | 'graded' | 'error' | 'internal_error';
interface GenSubmission {
  status: Status;
  minute: number;
  credit: number | null;
  practice: 'late' | 'attempts' | null;
  /** Scores of its results, attempt 1, 2, … (empty: never graded). */
  scores: number[];
}

/**
 * The gradebook's cells are computed in SQL (GradebookService.cells); src/courses/credit.ts
 * `countedScore`, through `cellOf`, stays their definition. On random submissions (few distinct
 * scores, credits and received minutes, so that ties happen) both must give the same cells, for
 * the `best` and the `last` policy; and the score copied on the submission row by the results
 * trigger must be the newest result's.
 */
describe('gradebook cells in SQL equal cellOf', () => {
  const env = loadEnv(process.env);
  const prisma = new PrismaService(env);
  const courses = new CoursesService(prisma);
  const assignments = new AssignmentsService(prisma);
  const gradebook = new GradebookService(prisma);
  const tag = randomBytes(3).toString('hex');
  let course: ManagedCourse;
  const assignmentIds: { id: string; exerciseId: string; counted: 'best' | 'last' }[] = [];
  const userIds: string[] = [];
  const due = new Date(Math.floor(Date.now() / MINUTE) * MINUTE - 48 * 60 * MINUTE);

  beforeAll(async () => {
    const prof = await prisma.user.create({
      data: { email: `prof-cells-${tag}@test.local`, displayName: 'Prof', role: Role.instructor },
    });
    const c = await courses.create(
      { id: prof.id, role: prof.role, email: prof.email },
      { code: `CEL-${tag}`, title: 'Cours', term: '', timeZone: 'Europe/Paris' },
    );
    course = await courses.managed({ id: prof.id, role: prof.role, email: prof.email }, c.code);
    for (const counted of ['best', 'last'] as const) {
      const ex = await prisma.exercise.create({
        data: { slug: `cel-${counted}-${tag}`, title: `Exercice ${counted}`, version: 'v1', maxPoints: 10 },
      });
      const a = await assignments.create(course, {
        exercise: ex.slug,
        dueAt: due,
        lateUntil: null,
        lateCredit: 0,
        counted,
        revealHiddenAfterDue: false,
      });
      assignmentIds.push({ id: a.id, exerciseId: ex.id, counted });
    }
    for (let i = 0; i < 3; i++) {
      const u = await prisma.user.create({
        data: { email: `cel-${i}-${tag}@test.local`, displayName: `Élève ${i}`, role: Role.student },
      });
      userIds.push(u.id);
    }
  });
  afterAll(async () => {
    await prisma.submission.deleteMany({ where: { assignmentId: { in: assignmentIds.map((a) => a.id) } } });
    await prisma.$disconnect();
  });

  const submissionArb: fc.Arbitrary<GenSubmission> = fc.record({
    status: fc.constantFrom<Status>('queued', 'running', 'graded', 'graded', 'error', 'internal_error'),
    minute: fc.integer({ min: 0, max: 4 }),
    credit: fc.constantFrom(1, 1, 0.5, 0.3, 0, null),
    practice: fc.constantFrom<'late' | 'attempts' | null>(null, null, null, 'late', 'attempts'),
    scores: fc.array(fc.constantFrom(0, 2, 4, 5, 7.5, 10), { maxLength: 3 }),
  });
  // Per (student, assignment): its submissions; 3 students × 2 assignments.
  const courseArb = fc.array(fc.array(submissionArb, { maxLength: 6 }), { minLength: 6, maxLength: 6 });

  it('gives the cells cellOf gives, for both policies, on random submissions', async () => {
    await fc.assert(
      fc.asyncProperty(courseArb, async (cellsGen) => {
        await prisma.submission.deleteMany({ where: { assignmentId: { in: assignmentIds.map((a) => a.id) } } });
        const newest = new Map<string, number | null>();
        for (let k = 0; k < cellsGen.length; k++) {
          const userId = userIds[k % userIds.length];
          const { id: assignmentId, exerciseId } = assignmentIds[Math.floor(k / userIds.length)];
          for (const [i, g] of cellsGen[k].entries()) {
            const s = await prisma.submission.create({
              data: {
                userId,
                exerciseId,
                exerciseVersion: 'v1',
                source: 'docker ps',
                status: g.status,
                attempt: Math.max(1, g.scores.length),
                assignmentId,
                assignmentAttempt: i + 1,
                credit: g.credit,
                practiceReason: g.practice,
                createdAt: new Date(due.getTime() + g.minute * MINUTE),
              },
            });
            // Results stored one by one, as the worker and regrades do: the copy follows the newest.
            for (const [r, score] of g.scores.entries()) {
              await storeResult(prisma, s.id, r + 1, score);
            }
            newest.set(s.id, g.scores.length ? g.scores[g.scores.length - 1] : null);
          }
        }
        const rows = await gradebook.submissionRows(course.id);
        expect(new Map(rows.map((r) => [r.id, r.score]))).toEqual(newest);
        expect(rows.every((r) => r.maxScore === (r.score === null ? null : 10))).toBe(true);

        // cellOf breaks ties by input order; the SQL by (received, id): give cellOf that order.
        const byCell = new Map<string, AssignmentSubmissionRow[]>();
        const sorted = [...rows].sort(
          (x, y) => x.receivedAt.getTime() - y.receivedAt.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0),
        );
        for (const r of sorted) {
          const key = `${r.userId}:${r.assignmentId}`;
          byCell.set(key, [...(byCell.get(key) ?? []), r]);
        }
        const expected = Object.fromEntries(
          [...byCell].map(([key, subs]) => {
            const policy = assignmentIds.find((a) => a.id === subs[0].assignmentId)!.counted;
            return [key, cellOf(policy, subs)];
          }),
        );
        const actual = Object.fromEntries(
          (await gradebook.cells(course.id)).map(({ userId, assignmentId, ...cell }) => [
            `${userId}:${assignmentId}`,
            cell,
          ]),
        );
        expect(actual).toEqual(expected);
      }),
      { numRuns: 25, seed: Number(process.env.CELLS_SEED ?? 20261204) },
    );
  }, 180_000);

  it('keeps the copied score when a newer result arrives or the last one is removed', async () => {
    await prisma.submission.deleteMany({ where: { assignmentId: { in: assignmentIds.map((a) => a.id) } } });
    const s = await prisma.submission.create({
      data: {
        userId: userIds[0],
        exerciseId: assignmentIds[0].exerciseId,
        exerciseVersion: 'v1',
        source: 'docker ps',
        status: 'graded',
        assignmentId: assignmentIds[0].id,
        assignmentAttempt: 1,
        credit: 1,
      },
    });
    const result = (attempt: number, score: number) => storeResult(prisma, s.id, attempt, score);
    const copy = async () =>
      prisma.submission.findUniqueOrThrow({ where: { id: s.id }, select: { score: true, maxScore: true } });
    expect(await copy()).toEqual({ score: null, maxScore: null });
    const first = await result(1, 4);
    expect(await copy()).toEqual({ score: 4, maxScore: 10 });
    const second = await result(2, 9);
    expect(await copy()).toEqual({ score: 9, maxScore: 10 });
    await prisma.result.update({ where: { id: second.id }, data: { score: 8 } });
    expect(await copy()).toEqual({ score: 8, maxScore: 10 });
    await prisma.result.delete({ where: { id: second.id } });
    expect(await copy()).toEqual({ score: 4, maxScore: 10 });
    await prisma.result.delete({ where: { id: first.id } });
    expect(await copy()).toEqual({ score: null, maxScore: null });
  });
});
