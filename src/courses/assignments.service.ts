import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode, FieldIssue } from '../common/domain-error';
import { PrismaService } from '../database/prisma.service';
import type { Prisma } from '../generated/prisma/client';
import { CourseRole } from '../generated/prisma/enums';
import type { CreateAssignmentInput, OverrideInput, UpdateAssignmentInput } from './course.schemas';
import type { ManagedCourse } from './courses.service';
import { creditFor, CreditPolicy, recomputedCredit } from './credit';

export interface AssignmentView {
  id: string;
  course: string;
  exercise: string;
  exerciseTitle: string;
  maxPoints: number;
  opensAt: Date | null;
  dueAt: Date;
  lateUntil: Date | null;
  lateCredit: number;
  maxAttempts: number | null;
  cooldownSeconds: number | null;
  counted: 'best' | 'last';
  revealHiddenAfterDue: boolean;
}

export interface OverrideView {
  id: string;
  assignmentId: string;
  userId: string;
  email: string;
  dueAt: Date | null;
  lateUntil: Date | null;
  extraAttempts: number;
  grantedBy: string | null;
  grantedAt: Date;
  /** Submissions whose credit the extension raised. */
  recredited: number;
}

const assignmentSelect = {
  id: true,
  opensAt: true,
  dueAt: true,
  lateUntil: true,
  lateCredit: true,
  maxAttempts: true,
  cooldownSeconds: true,
  counted: true,
  revealHiddenAfterDue: true,
  course: { select: { code: true } },
  exercise: { select: { slug: true, title: true, maxPoints: true } },
} as const;

type AssignmentRow = Prisma.AssignmentGetPayload<{ select: typeof assignmentSelect }>;

function view(row: AssignmentRow): AssignmentView {
  const { course, exercise, ...rest } = row;
  return {
    ...rest,
    course: course.code,
    exercise: exercise.slug,
    exerciseTitle: exercise.title,
    maxPoints: exercise.maxPoints,
  };
}

/** The order the windows must keep: opensAt ≤ dueAt ≤ lateUntil; each problem names its field. */
export function windowProblems(a: { opensAt?: Date | null; dueAt: Date; lateUntil?: Date | null }): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (a.opensAt && a.dueAt.getTime() < a.opensAt.getTime())
    issues.push({ field: 'dueAt', message: "l'échéance doit être après l'ouverture (opensAt)" });
  if (a.lateUntil && a.lateUntil.getTime() < a.dueAt.getTime())
    issues.push({ field: 'lateUntil', message: "la fin du retard doit être après l'échéance (dueAt)" });
  return issues;
}

/** Assignments of a course and per-student overrides; every write is one transaction. */
@Injectable()
export class AssignmentsService {
  constructor(private readonly prisma: PrismaService) {}

  async list(course: ManagedCourse): Promise<AssignmentView[]> {
    const rows = await this.prisma.assignment.findMany({
      where: { courseId: course.id },
      orderBy: [{ dueAt: 'asc' }, { createdAt: 'asc' }],
      select: assignmentSelect,
    });
    return rows.map(view);
  }

  async get(course: ManagedCourse, id: string): Promise<AssignmentView> {
    const row = await this.prisma.assignment.findFirst({
      where: { id, courseId: course.id },
      select: assignmentSelect,
    });
    if (!row) throw new DomainError(ErrorCode.NotFound, 'devoir introuvable');
    return view(row);
  }

  async create(course: ManagedCourse, input: CreateAssignmentInput): Promise<AssignmentView> {
    const problems = windowProblems(input);
    if (problems.length) throw DomainError.validation(problems);
    return this.prisma.$transaction(async (tx) => {
      const exercise = await tx.exercise.findFirst({
        where: { slug: input.exercise, published: true },
        select: { id: true },
      });
      if (!exercise)
        throw DomainError.validation([{ field: 'exercise', message: `exercice inconnu : ${input.exercise}` }]);
      const taken = await tx.assignment.findFirst({
        where: { courseId: course.id, exerciseId: exercise.id },
        select: { id: true },
      });
      if (taken)
        throw DomainError.validation([{ field: 'exercise', message: 'cet exercice est déjà un devoir du cours' }]);
      const { exercise: _slug, ...fields } = input;
      const row = await tx.assignment.create({
        data: { ...fields, courseId: course.id, exerciseId: exercise.id },
        select: assignmentSelect,
      });
      return view(row);
    });
  }

  async update(course: ManagedCourse, id: string, input: UpdateAssignmentInput): Promise<AssignmentView> {
    return this.prisma.$transaction(async (tx) => {
      const current = await tx.assignment.findFirst({
        where: { id, courseId: course.id },
        select: { id: true, opensAt: true, dueAt: true, lateUntil: true },
      });
      if (!current) throw new DomainError(ErrorCode.NotFound, 'devoir introuvable');
      const merged = {
        opensAt: input.opensAt === undefined ? current.opensAt : input.opensAt,
        dueAt: input.dueAt ?? current.dueAt,
        lateUntil: input.lateUntil === undefined ? current.lateUntil : input.lateUntil,
      };
      const problems = windowProblems(merged);
      if (problems.length) throw DomainError.validation(problems);
      const row = await tx.assignment.update({ where: { id }, data: input, select: assignmentSelect });
      await recredit(tx, id);
      return view(row);
    });
  }

  /** Grants (or replaces) a student's extension and raises the credit of their earlier submissions. */
  async grantOverride(
    course: ManagedCourse,
    assignmentId: string,
    input: OverrideInput,
    grantedBy: string,
  ): Promise<OverrideView> {
    return this.prisma.$transaction(async (tx) => {
      const assignment = await tx.assignment.findFirst({
        where: { id: assignmentId, courseId: course.id },
        select: { id: true, dueAt: true, lateUntil: true },
      });
      if (!assignment) throw new DomainError(ErrorCode.NotFound, 'devoir introuvable');
      const enrolment = await tx.enrolment.findFirst({
        where: {
          courseId: course.id,
          role: CourseRole.student,
          user: input.user.includes('@') ? { email: input.user.trim().toLowerCase() } : { id: input.user },
        },
        select: { userId: true, user: { select: { email: true } } },
      });
      if (!enrolment)
        throw DomainError.validation([{ field: 'user', message: "cet étudiant n'est pas inscrit au cours" }]);
      const fields = {
        dueAt: input.dueAt ?? null,
        lateUntil: input.lateUntil ?? null,
        extraAttempts: input.extraAttempts,
      };
      const problems: FieldIssue[] = [];
      if (fields.dueAt && fields.dueAt.getTime() < assignment.dueAt.getTime())
        problems.push({ field: 'dueAt', message: "une prolongation ne peut pas avancer l'échéance du devoir" });
      const lateFloor = assignment.lateUntil ?? assignment.dueAt;
      if (fields.lateUntil && fields.lateUntil.getTime() < lateFloor.getTime())
        problems.push({ field: 'lateUntil', message: 'une prolongation ne peut pas avancer la fin du retard' });
      if (problems.length) throw DomainError.validation(problems);
      const row = await tx.assignmentOverride.upsert({
        where: { assignmentId_userId: { assignmentId, userId: enrolment.userId } },
        create: { assignmentId, userId: enrolment.userId, ...fields, grantedById: grantedBy },
        update: { ...fields, grantedById: grantedBy, grantedAt: new Date() },
      });
      const recredited = await recredit(tx, assignmentId, enrolment.userId);
      return {
        id: row.id,
        assignmentId,
        userId: row.userId,
        email: enrolment.user.email,
        dueAt: row.dueAt,
        lateUntil: row.lateUntil,
        extraAttempts: row.extraAttempts,
        grantedBy: row.grantedById,
        grantedAt: row.grantedAt,
        recredited,
      };
    });
  }

  async listOverrides(course: ManagedCourse, assignmentId: string) {
    await this.get(course, assignmentId);
    return this.prisma.assignmentOverride.findMany({
      where: { assignmentId },
      orderBy: { grantedAt: 'desc' },
      select: {
        id: true,
        dueAt: true,
        lateUntil: true,
        extraAttempts: true,
        grantedAt: true,
        user: { select: { id: true, email: true, displayName: true } },
      },
    });
  }
}

/**
 * Recomputes the credit of an assignment's submissions (one student's, or all) after its deadlines
 * or an extension changed, from their received time and attempt number; a credit never goes down.
 * Returns how many rows changed.
 */
export async function recredit(tx: Prisma.TransactionClient, assignmentId: string, userId?: string): Promise<number> {
  const a = await tx.assignment.findUniqueOrThrow({
    where: { id: assignmentId },
    select: {
      dueAt: true,
      lateUntil: true,
      lateCredit: true,
      maxAttempts: true,
      overrides: {
        where: userId ? { userId } : {},
        select: { userId: true, dueAt: true, lateUntil: true, extraAttempts: true },
      },
    },
  });
  const policy: CreditPolicy = {
    dueAt: a.dueAt,
    lateUntil: a.lateUntil,
    lateCredit: a.lateCredit,
    maxAttempts: a.maxAttempts,
  };
  const overrides = new Map(a.overrides.map((o) => [o.userId, o]));
  const subs = await tx.submission.findMany({
    where: { assignmentId, ...(userId ? { userId } : {}) },
    select: { id: true, userId: true, createdAt: true, assignmentAttempt: true, credit: true, practiceReason: true },
  });
  let changed = 0;
  for (const s of subs) {
    const previous = { credit: s.credit ?? 0, practiceReason: s.practiceReason };
    const next = recomputedCredit(
      previous,
      creditFor(policy, overrides.get(s.userId), s.createdAt, s.assignmentAttempt ?? 1),
    );
    if (next.credit !== previous.credit || next.practiceReason !== previous.practiceReason) {
      await tx.submission.update({
        where: { id: s.id },
        data: { credit: next.credit, practiceReason: next.practiceReason },
      });
      changed++;
    }
  }
  return changed;
}
