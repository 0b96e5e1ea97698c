import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { CourseRole } from '../generated/prisma/enums';
import { DomainError, ErrorCode } from '../common/domain-error';
import type { ManagedCourse } from './courses.service';
import type { CheckMatrix } from './gradebook.csv';
import { countedScore, CountedPolicy, CreditedAttempt, PracticeReason } from './credit';

export interface GradebookAssignment {
  id: string;
  exercise: string;
  title: string;
  maxPoints: number;
  dueAt: Date;
  lateUntil: Date | null;
  lateCredit: number;
  counted: CountedPolicy;
}

export interface GradebookCell {
  /** Points that count (score × credit of the best or last counting submission); null: nothing graded. */
  counted: number | null;
  /** Submissions received (practice included). */
  attempts: number;
  /** The counted submission was credited below 1 (late window). */
  late: boolean;
  /** Submissions that were practice (after the windows or over the limit). */
  practice: number;
  /** Submissions whose grading failed (infrastructure or internal error). */
  errors: number;
  /** Submissions waiting for or in grading. */
  pending: number;
  /** The submission whose score counts, for the link from the cell. */
  countedSubmissionId: string | null;
}

export interface GradebookRow {
  userId: string;
  email: string;
  name: string;
  group: string;
  /** By assignment id. */
  cells: Record<string, GradebookCell>;
  total: number;
}

export interface Gradebook {
  course: ManagedCourse;
  assignments: GradebookAssignment[];
  rows: GradebookRow[];
  /** Per assignment id: mean counted points over the students who have a graded submission, and how many. */
  assignmentTotals: Record<string, { mean: number | null; graded: number }>;
  maxTotal: number;
}

/** One submission to a course assignment with its current score: the rows reports are built from. */
export interface AssignmentSubmissionRow {
  id: string;
  userId: string;
  assignmentId: string;
  receivedAt: Date;
  status: string;
  assignmentAttempt: number | null;
  credit: number;
  practiceReason: PracticeReason | null;
  /** The newest result's score (null when none yet). */
  score: number | null;
  maxScore: number | null;
}

const EMPTY_CELL: GradebookCell = {
  counted: null,
  attempts: 0,
  late: false,
  practice: 0,
  errors: 0,
  pending: 0,
  countedSubmissionId: null,
};

/**
 * One row per (student, assignment) of a course ($1): see GradebookService.cells. Exported so that
 * bench:reports EXPLAINs the statement the service runs, not a copy. $1 is a bound parameter.
 *
 * Read one assignment at a time (LATERAL) from submissions_gradebook_cells_idx, whose order is
 * (student, received DESC, id DESC) within an assignment: the counts group students as the index
 * gives them, the "last" counted submission is each student's first counting row (DISTINCT ON, no
 * sort), and "best" sorts one assignment's counting rows (a few thousand, in memory) by credited
 * score. The INCLUDE columns make every read index-only. The former statement grouped all the
 * course's submissions at once and sorted them, 60,000 rows spilling to disk at work_mem 4 MB
 * (bench:reports prints both plans' times).
 */
export const GRADEBOOK_CELLS_SQL = `SELECT c.user_id, a.id AS assignment_id, c.attempts, c.practice, c.errors, c.pending, c.graded,
       c.counted_id, c.score * coalesce(c.credit, 0) AS counted, coalesce(c.credit, 0) AS credit
FROM assignments a
CROSS JOIN LATERAL (
  SELECT p.*, k.id AS counted_id, k.score, k.credit
  FROM (
    SELECT s.user_id,
           count(*)::int AS attempts,
           count(*) FILTER (WHERE s.practice_reason IS NOT NULL)::int AS practice,
           count(*) FILTER (WHERE s.status IN ('error', 'internal_error'))::int AS errors,
           count(*) FILTER (WHERE s.status IN ('queued', 'running'))::int AS pending,
           bool_or(s.score IS NOT NULL) AS graded
    FROM submissions s
    WHERE s.assignment_id = a.id
    GROUP BY s.user_id
  ) p
  LEFT JOIN (
    (SELECT DISTINCT ON (s.user_id) s.user_id, s.id, s.score, s.credit
     FROM submissions s
     WHERE a.counted = 'last' AND s.assignment_id = a.id AND s.score IS NOT NULL AND s.practice_reason IS NULL
     ORDER BY s.user_id, s.created_at DESC, s.id DESC)
    UNION ALL
    (SELECT DISTINCT ON (s.user_id) s.user_id, s.id, s.score, s.credit
     FROM submissions s
     WHERE a.counted = 'best' AND s.assignment_id = a.id AND s.score IS NOT NULL AND s.practice_reason IS NULL
     ORDER BY s.user_id, s.score * coalesce(s.credit, 0) DESC, s.created_at, s.id)
  ) k ON k.user_id = p.user_id
) c
WHERE a.course_id = $1::uuid`;

/** The course's gradebook: enrolled students × assignments, computed from the stored credits. */
@Injectable()
export class GradebookService {
  constructor(private readonly prisma: PrismaService) {}

  /**
   * Every submission to the course's assignments (or one assignment's), with its current score (the
   * newest result's, copied on the submission row by a trigger on results), in received order (then
   * id): cellOf breaks ties by input order, so the order is part of the answer, not the plan's choice
   * (an index read newest first once made the report's "best" pick the later of two equal scores).
   */
  async submissionRows(courseId: string, assignmentId?: string): Promise<AssignmentSubmissionRow[]> {
    const rows = await this.prisma.$queryRaw<
      {
        id: string;
        user_id: string;
        assignment_id: string;
        created_at: Date;
        status: string;
        assignment_attempt: number | null;
        credit: number | null;
        practice_reason: PracticeReason | null;
        score: number | null;
        max_score: number | null;
      }[]
    >`
      SELECT s.id, s.user_id, s.assignment_id, s.created_at, s.status::text AS status, s.assignment_attempt,
             s.credit, s.practice_reason::text AS practice_reason, s.score, s.max_score
      FROM submissions s
      JOIN assignments a ON a.id = s.assignment_id
      WHERE a.course_id = ${courseId}::uuid
        AND (${assignmentId ?? null}::uuid IS NULL OR s.assignment_id = ${assignmentId ?? null}::uuid)
      ORDER BY s.created_at, s.id`;
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      assignmentId: r.assignment_id,
      receivedAt: r.created_at,
      status: r.status,
      assignmentAttempt: r.assignment_attempt,
      credit: r.credit ?? 0,
      practiceReason: r.practice_reason,
      score: r.score,
      maxScore: r.max_score,
    }));
  }

  async assignments(courseId: string): Promise<GradebookAssignment[]> {
    const rows = await this.prisma.assignment.findMany({
      where: { courseId },
      orderBy: [{ dueAt: 'asc' }, { createdAt: 'asc' }],
      select: {
        id: true,
        dueAt: true,
        lateUntil: true,
        lateCredit: true,
        counted: true,
        exercise: { select: { slug: true, title: true, maxPoints: true } },
      },
    });
    return rows.map(({ exercise, ...a }) => ({
      ...a,
      exercise: exercise.slug,
      title: exercise.title,
      maxPoints: exercise.maxPoints,
    }));
  }

  async students(courseId: string): Promise<{ userId: string; email: string; name: string; group: string }[]> {
    const rows = await this.prisma.enrolment.findMany({
      where: { courseId, role: CourseRole.student },
      select: { userId: true, group: true, user: { select: { email: true, displayName: true } } },
    });
    return rows
      .map((e) => ({ userId: e.userId, email: e.user.email, name: e.user.displayName, group: e.group }))
      .sort((a, b) => a.name.localeCompare(b.name, 'fr') || a.email.localeCompare(b.email));
  }

  /**
   * Every (student, assignment) cell that has submissions, computed in the database: one row per
   * cell instead of one per submission (6,000 rows rather than 60,000 for a 300 × 20 × 10 course).
   * It must equal `cellOf` (src/courses/credit.ts `countedScore` is the definition); ties, which
   * `cellOf` breaks by input order, are broken as `cellOf` does on submissions sorted by
   * (received, id): `best` keeps the first of equal credited scores, `last` the greatest id of
   * equal received times. test/integration/courses/gradebook-cells.int-spec.ts checks both on
   * random submissions.
   */
  async cells(courseId: string): Promise<({ userId: string; assignmentId: string } & GradebookCell)[]> {
    const rows = await this.prisma.$queryRawUnsafe<
      {
        user_id: string;
        assignment_id: string;
        attempts: number;
        practice: number;
        errors: number;
        pending: number;
        graded: boolean;
        counted_id: string | null;
        counted: number | null;
        credit: number | null;
      }[]
    >(GRADEBOOK_CELLS_SQL, courseId);
    return rows.map((r) => ({
      userId: r.user_id,
      assignmentId: r.assignment_id,
      // Graded but nothing counting (all practice): 0, as countedScore says.
      counted: r.counted_id !== null ? r.counted : r.graded ? 0 : null,
      attempts: r.attempts,
      late: r.counted_id !== null && (r.credit as number) < 1,
      practice: r.practice,
      errors: r.errors,
      pending: r.pending,
      countedSubmissionId: r.counted_id,
    }));
  }

  async gradebook(course: ManagedCourse): Promise<Gradebook> {
    const [assignments, students, cellRows] = await Promise.all([
      this.assignments(course.id),
      this.students(course.id),
      this.cells(course.id),
    ]);
    const byCell = new Map<string, GradebookCell>();
    for (const { userId, assignmentId, ...cell } of cellRows) byCell.set(`${userId}:${assignmentId}`, cell);
    const sums = new Map<string, { sum: number; graded: number }>(
      assignments.map((a) => [a.id, { sum: 0, graded: 0 }]),
    );
    const rows = students.map((st) => {
      const cells: Record<string, GradebookCell> = {};
      let total = 0;
      for (const a of assignments) {
        const cell = byCell.get(`${st.userId}:${a.id}`) ?? EMPTY_CELL;
        cells[a.id] = cell;
        if (cell.counted !== null) {
          total += cell.counted;
          const s = sums.get(a.id)!;
          s.sum += cell.counted;
          s.graded++;
        }
      }
      return { ...st, cells, total };
    });
    const assignmentTotals = Object.fromEntries(
      [...sums].map(([id, s]) => [id, { mean: s.graded ? s.sum / s.graded : null, graded: s.graded }]),
    );
    const maxTotal = assignments.reduce((t, a) => t + a.maxPoints, 0);
    return { course, assignments, rows, assignmentTotals, maxTotal };
  }

  /** Per student, which checks their counted submission to one assignment passed. */
  async checkMatrix(course: ManagedCourse, assignmentId: string): Promise<CheckMatrix> {
    const assignment = (await this.assignments(course.id)).find((a) => a.id === assignmentId);
    if (!assignment) throw new DomainError(ErrorCode.NotFound, 'devoir introuvable');
    const [students, subs] = await Promise.all([
      this.students(course.id),
      this.submissionRows(course.id, assignmentId),
    ]);
    const byUser = new Map<string, AssignmentSubmissionRow[]>();
    for (const s of subs) byUser.set(s.userId, [...(byUser.get(s.userId) ?? []), s]);
    const countedIds = new Map<string, string>();
    for (const [userId, list] of byUser) {
      const id = cellOf(assignment.counted, list).countedSubmissionId;
      if (id) countedIds.set(userId, id);
    }
    const results = await this.prisma.result.findMany({
      where: { submissionId: { in: [...countedIds.values()] } },
      orderBy: { attempt: 'desc' },
      select: { submissionId: true, checks: true },
    });
    const checksOf = new Map<string, { id: string; title: string; passed: boolean }[]>();
    for (const r of results) if (!checksOf.has(r.submissionId)) checksOf.set(r.submissionId, asChecks(r.checks));
    const columns = new Map<string, string>();
    for (const list of checksOf.values()) for (const c of list) if (!columns.has(c.id)) columns.set(c.id, c.title);
    const cellByUser = new Map([...byUser].map(([u, list]) => [u, cellOf(assignment.counted, list)]));
    return {
      exercise: assignment.exercise,
      checks: [...columns].map(([id, title]) => ({ id, title })),
      rows: students.map((st) => {
        const submissionId = countedIds.get(st.userId);
        const checks = submissionId ? checksOf.get(submissionId) : undefined;
        return {
          email: st.email,
          name: st.name,
          group: st.group,
          score: cellByUser.get(st.userId)?.counted ?? null,
          passed: checks ? Object.fromEntries(checks.map((c) => [c.id, c.passed])) : null,
        };
      }),
    };
  }
}

/** One cell from a student's submissions to one assignment. */
export function cellOf(policy: CountedPolicy, subs: readonly AssignmentSubmissionRow[]): GradebookCell {
  if (subs.length === 0) return EMPTY_CELL;
  const attempts: (CreditedAttempt & { id: string })[] = subs.map((s) => ({
    id: s.id,
    receivedAt: s.receivedAt,
    score: s.score,
    credit: s.credit,
    practiceReason: s.practiceReason,
  }));
  const counted = countedScore(policy, attempts);
  const counting = attempts.filter((a) => a.score !== null && a.practiceReason === null);
  let source: (typeof attempts)[number] | undefined;
  if (counting.length) {
    source =
      policy === 'last'
        ? counting.reduce((x, y) => (y.receivedAt.getTime() >= x.receivedAt.getTime() ? y : x))
        : counting.reduce((x, y) => ((y.score as number) * y.credit > (x.score as number) * x.credit ? y : x));
  }
  return {
    counted,
    attempts: subs.length,
    late: source !== undefined && source.credit < 1,
    practice: subs.filter((s) => s.practiceReason !== null).length,
    errors: subs.filter((s) => s.status === 'error' || s.status === 'internal_error').length,
    pending: subs.filter((s) => s.status === 'queued' || s.status === 'running').length,
    countedSubmissionId: source?.id ?? null,
  };
}

/** The stored checks JSON ([{ id, title, passed, … }]) narrowed to what the matrix needs. */
function asChecks(json: unknown): { id: string; title: string; passed: boolean }[] {
  if (!Array.isArray(json)) return [];
  return json.flatMap((c: unknown) => {
    const o = c as { id?: unknown; title?: unknown; passed?: unknown };
    return typeof o?.id === 'string'
      ? [{ id: o.id, title: typeof o.title === 'string' ? o.title : o.id, passed: o.passed === true }]
      : [];
  });
}
