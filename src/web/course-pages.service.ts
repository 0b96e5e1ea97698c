import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/domain-error';
import type { ManagedCourse } from '../courses/courses.service';
import { PrismaService } from '../database/prisma.service';
import type { CellSubmission } from './views/gradebook-cell-page';

/** Reads the course pages need beyond the course services' (exercise choices, a gradebook cell's detail). */
@Injectable()
export class CoursePagesService {
  constructor(private readonly prisma: PrismaService) {}

  exercises(): Promise<{ slug: string; title: string }[]> {
    return this.prisma.exercise.findMany({
      where: { published: true },
      orderBy: { slug: 'asc' },
      select: { slug: true, title: true },
    });
  }

  /** One enrolled student's submissions to one assignment of the course, newest first, with their current result. */
  async cell(course: ManagedCourse, assignmentId: string, userId: string) {
    const [assignment, enrolment] = await Promise.all([
      this.prisma.assignment.findFirst({
        where: { id: assignmentId, courseId: course.id },
        select: { exercise: { select: { title: true } } },
      }),
      this.prisma.enrolment.findFirst({
        where: { courseId: course.id, userId },
        select: { user: { select: { email: true, displayName: true } } },
      }),
    ]);
    if (!assignment || !enrolment) throw new DomainError(ErrorCode.NotFound, 'introuvable');
    const rows = await this.prisma.submission.findMany({
      where: { assignmentId, userId },
      orderBy: { createdAt: 'desc' },
      select: {
        id: true,
        createdAt: true,
        assignmentAttempt: true,
        status: true,
        credit: true,
        practiceReason: true,
        results: { orderBy: { attempt: 'desc' }, take: 1, select: { score: true, maxScore: true, checks: true } },
      },
    });
    const submissions: CellSubmission[] = rows.map((s) => ({
      id: s.id,
      receivedAt: s.createdAt,
      number: s.assignmentAttempt,
      status: s.status,
      credit: s.credit ?? 0,
      practiceReason: s.practiceReason,
      score: s.results[0]?.score ?? null,
      maxScore: s.results[0]?.maxScore ?? null,
      checks: Array.isArray(s.results[0]?.checks) ? (s.results[0].checks as CellSubmission['checks']) : [],
    }));
    return {
      exerciseTitle: assignment.exercise.title,
      student: { name: enrolment.user.displayName, email: enrolment.user.email },
      submissions,
    };
  }
}
