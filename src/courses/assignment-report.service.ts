import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/domain-error';
import { PrismaService } from '../database/prisma.service';
import type { ManagedCourse } from './courses.service';
import { AssignmentSubmissionRow, cellOf, GradebookAssignment, GradebookService } from './gradebook.service';

/** A histogram bin: (from, to] for times, [from, to) for scores (the last score bin is exactly the maximum). */
export interface ReportBin {
  from: number;
  to: number;
  count: number;
}

export interface MisconceptionRow {
  id: string;
  title: string;
  hidden: boolean;
  /** Students whose counted submission failed this check. */
  failed: number;
  /** Students whose counted submission was evaluated on this check. */
  evaluated: number;
  /** failed / evaluated × 100 (0 when nobody was evaluated). */
  percent: number;
  /** The check's feedback when it fails, as students read it (French). */
  feedback: string;
  /** A counted submission failing it (the most recent), for the teacher to open. */
  exampleSubmissionId: string | null;
}

export interface AssignmentReport {
  course: { code: string; title: string };
  assignment: GradebookAssignment;
  /** Enrolled students. */
  students: number;
  /** Students with at least one submission. */
  submitted: number;
  scores: {
    /** Students with a counted score (something graded). */
    graded: number;
    mean: number | null;
    median: number | null;
    /** Width of the bins in points: ten bins [k·w, (k+1)·w), then one bin of exactly the maximum. */
    binWidth: number;
    bins: ReportBin[];
  };
  timing: {
    /** Every submission received, practice and failed gradings included. */
    total: number;
    onTime: number;
    /** Counted at a late rate (credit below 1). */
    late: number;
    practice: number;
    /** Grading failed (ours, not the student's). */
    errors: number;
    pending: number;
    /** Width of the time bins in hours; bins are (from, to] in hours from the due date (negative: before). */
    binHours: number;
    bins: ReportBin[];
    /** Submissions further than CLAMP_HOURS from the due date, counted in the first or last bin. */
    clampedBefore: number;
    clampedAfter: number;
  };
  attemptsToFullMarks: {
    /** Median number of submissions (service failures not counted) up to the first with full marks. */
    median: number | null;
    /** Students who reached full marks. */
    students: number;
  };
  /** Checks, the most failed first. */
  checks: MisconceptionRow[];
}

/** Bin widths tried in turn for the time histogram, in hours (at most MAX_TIME_BINS bins). */
const TIME_BIN_HOURS = [1, 2, 3, 6, 12, 24, 48, 168];
const MAX_TIME_BINS = 24;
/** Four weeks either side of the due date: an outlier months away would flatten the histogram. */
export const CLAMP_HOURS = 24 * 28;
const HOUR_MS = 3_600_000;

interface StoredCheck {
  id: string;
  title: string;
  passed: boolean;
  hidden: boolean;
  message: string;
}

/**
 * The assignment report (issue 16): how the class scored, when it submitted relative to the due
 * date, how many tries full marks took, and which checks the class failed — ranked, so the teacher
 * sees at a glance what was not understood. Built from the gradebook's own rows (same counted
 * submission, same credits) plus the checks of each student's counted submission.
 */
@Injectable()
export class AssignmentReportService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly gradebook: GradebookService,
  ) {}

  async report(course: ManagedCourse, assignmentId: string): Promise<AssignmentReport> {
    const assignment = await this.assignment(course.id, assignmentId);
    const [students, subs] = await Promise.all([
      this.prisma.enrolment.findMany({ where: { courseId: course.id, role: 'student' }, select: { userId: true } }),
      this.gradebook.submissionRows(course.id, assignmentId),
    ]);
    const enrolled = new Set(students.map((s) => s.userId));
    const byUser = new Map<string, AssignmentSubmissionRow[]>();
    for (const s of subs) {
      // A student removed from the roster keeps their submissions, but is no longer in the class.
      if (!enrolled.has(s.userId)) continue;
      const list = byUser.get(s.userId);
      if (list) list.push(s);
      else byUser.set(s.userId, [s]);
    }
    const counted: number[] = [];
    const countedIds: string[] = [];
    const toFullMarks: number[] = [];
    for (const list of byUser.values()) {
      const cell = cellOf(assignment.counted, list);
      if (cell.counted !== null) counted.push(cell.counted);
      if (cell.countedSubmissionId) countedIds.push(cell.countedSubmissionId);
      const n = attemptsToFullMarks(list, assignment.maxPoints);
      if (n !== null) toFullMarks.push(n);
    }
    const classSubs = [...byUser.values()].flat();
    return {
      course: { code: course.code, title: course.title },
      assignment,
      students: enrolled.size,
      submitted: byUser.size,
      scores: {
        graded: counted.length,
        mean: counted.length ? counted.reduce((a, b) => a + b, 0) / counted.length : null,
        median: median(counted),
        binWidth: assignment.maxPoints / 10,
        bins: scoreBins(counted, assignment.maxPoints),
      },
      timing: timing(classSubs, assignment.dueAt),
      attemptsToFullMarks: { median: median(toFullMarks), students: toFullMarks.length },
      checks: await this.misconceptions(countedIds, new Map(classSubs.map((s) => [s.id, s.receivedAt]))),
    };
  }

  private async assignment(courseId: string, id: string): Promise<GradebookAssignment> {
    const found = (await this.gradebook.assignments(courseId)).find((a) => a.id === id);
    if (!found) throw new DomainError(ErrorCode.NotFound, 'devoir introuvable');
    return found;
  }

  /** Per check, how many students' counted submissions failed it; the newest result of each. */
  private async misconceptions(countedIds: string[], receivedAt: Map<string, Date>): Promise<MisconceptionRow[]> {
    if (countedIds.length === 0) return [];
    const results = await this.prisma.$queryRaw<{ submission_id: string; checks: unknown }[]>`
      SELECT DISTINCT ON (submission_id) submission_id, checks
      FROM results
      WHERE submission_id = ANY(${countedIds}::uuid[])
      ORDER BY submission_id, attempt DESC`;
    const rows = new Map<string, MisconceptionRow & { order: number; exampleAt: number }>();
    for (const r of results) {
      const at = receivedAt.get(r.submission_id)?.getTime() ?? 0;
      for (const c of storedChecks(r.checks)) {
        let row = rows.get(c.id);
        if (!row) {
          row = {
            id: c.id,
            title: c.title,
            hidden: c.hidden,
            failed: 0,
            evaluated: 0,
            percent: 0,
            feedback: '',
            exampleSubmissionId: null,
            order: rows.size,
            exampleAt: -Infinity,
          };
          rows.set(c.id, row);
        }
        row.evaluated++;
        if (!c.passed) {
          row.failed++;
          if (at > row.exampleAt) {
            row.exampleAt = at;
            row.exampleSubmissionId = r.submission_id;
            row.feedback = c.message;
          }
        }
      }
    }
    return [...rows.values()]
      .sort((a, b) => b.failed - a.failed || a.order - b.order)
      .map(({ order: _order, exampleAt: _at, ...row }) => ({
        ...row,
        percent: row.evaluated ? (row.failed / row.evaluated) * 100 : 0,
      }));
  }
}

/** Ten bins of a tenth of the maximum, [k·w, (k+1)·w), then one of exactly the maximum (full marks apart). */
export function scoreBins(scores: readonly number[], maxPoints: number): ReportBin[] {
  const w = maxPoints / 10;
  const bins: ReportBin[] = Array.from({ length: 10 }, (_, k) => ({
    // k × max / 10, not k × w: 5 × 0.6 is 3.0000000000000004.
    from: (k * maxPoints) / 10,
    to: ((k + 1) * maxPoints) / 10,
    count: 0,
  }));
  bins.push({ from: maxPoints, to: maxPoints, count: 0 });
  for (const s of scores) {
    if (s >= maxPoints) bins[10].count++;
    // The epsilon keeps 0.3 × 10 / 3 (float noise) in the bin it belongs to.
    else bins[Math.min(9, Math.max(0, Math.floor((s / w) * (1 + 1e-12) + 1e-9)))].count++;
  }
  return bins;
}

/** Hours from the due date, binned (from, to]: a submission exactly at the due date is on time, in the bin ending at 0. */
export function timeBins(offsetsHours: readonly number[]): {
  binHours: number;
  bins: ReportBin[];
  clampedBefore: number;
  clampedAfter: number;
} {
  if (offsetsHours.length === 0) return { binHours: 1, bins: [], clampedBefore: 0, clampedAfter: 0 };
  let clampedBefore = 0;
  let clampedAfter = 0;
  const hours = offsetsHours.map((h) => {
    if (h < -CLAMP_HOURS) clampedBefore++;
    if (h > CLAMP_HOURS) clampedAfter++;
    return Math.min(CLAMP_HOURS, Math.max(-CLAMP_HOURS, h));
  });
  const lo = Math.min(...hours);
  const hi = Math.max(...hours);
  const binHours =
    TIME_BIN_HOURS.find((w) => Math.ceil(hi / w) - Math.ceil(lo / w) + 1 <= MAX_TIME_BINS) ??
    TIME_BIN_HOURS[TIME_BIN_HOURS.length - 1];
  const first = Math.ceil(lo / binHours);
  const last = Math.ceil(hi / binHours);
  const bins: ReportBin[] = [];
  // `+ 0` turns Math.ceil's −0 into 0.
  for (let k = first; k <= last; k++) bins.push({ from: (k - 1) * binHours + 0, to: k * binHours + 0, count: 0 });
  for (const h of hours) bins[Math.ceil(h / binHours) - first].count++;
  return { binHours, bins, clampedBefore, clampedAfter };
}

function timing(subs: readonly AssignmentSubmissionRow[], dueAt: Date): AssignmentReport['timing'] {
  const due = dueAt.getTime();
  const bins = timeBins(subs.map((s) => (s.receivedAt.getTime() - due) / HOUR_MS));
  let onTime = 0;
  let late = 0;
  let practice = 0;
  let errors = 0;
  let pending = 0;
  for (const s of subs) {
    if (s.practiceReason !== null) practice++;
    else if (s.credit < 1) late++;
    else onTime++;
    if (s.status === 'error' || s.status === 'internal_error') errors++;
    if (s.status === 'queued' || s.status === 'running') pending++;
  }
  return { total: subs.length, onTime, late, practice, errors, pending, ...bins };
}

/**
 * How many submissions a student made up to their first with full marks (raw score, before any
 * late credit); submissions that failed on our side do not count. Null when never at full marks.
 */
export function attemptsToFullMarks(subs: readonly AssignmentSubmissionRow[], maxPoints: number): number | null {
  const ordered = [...subs].sort(
    (a, b) =>
      a.receivedAt.getTime() - b.receivedAt.getTime() || (a.assignmentAttempt ?? 0) - (b.assignmentAttempt ?? 0),
  );
  let n = 0;
  for (const s of ordered) {
    if (s.status === 'error' || s.status === 'internal_error') continue;
    n++;
    if (s.score !== null && s.score >= (s.maxScore ?? maxPoints)) return n;
  }
  return null;
}

export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** The stored checks JSON ([{ id, title, passed, hidden, message, … }]) narrowed to what the report needs. */
function storedChecks(json: unknown): StoredCheck[] {
  if (!Array.isArray(json)) return [];
  return json.flatMap((c: unknown) => {
    const o = c as Partial<Record<keyof StoredCheck, unknown>> | null;
    if (typeof o?.id !== 'string') return [];
    return [
      {
        id: o.id,
        title: typeof o.title === 'string' ? o.title : o.id,
        passed: o.passed === true,
        hidden: o.hidden === true,
        message: typeof o.message === 'string' ? o.message : '',
      },
    ];
  });
}
