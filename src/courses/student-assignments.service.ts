import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { CourseRole } from '../generated/prisma/enums';
import { effectivePolicy } from './credit';

export interface StudentAssignment {
  id: string;
  course: { code: string; title: string; timeZone: string };
  exercise: { slug: string; title: string; maxPoints: number };
  opensAt: Date | null;
  /** The student's own deadlines: the assignment's, extended by their override. */
  dueAt: Date;
  lateUntil: Date | null;
  lateCredit: number;
  /** null: unlimited (extra attempts of an override included). */
  maxAttempts: number | null;
  attemptsUsed: number;
}

/** A student's view of the assignments of the courses they are enrolled in. */
@Injectable()
export class StudentAssignmentsService {
  constructor(private readonly prisma: PrismaService) {}

  async list(userId: string): Promise<StudentAssignment[]> {
    const rows = await this.prisma.assignment.findMany({
      where: { course: { enrolments: { some: { userId, role: CourseRole.student } } } },
      orderBy: [{ dueAt: 'asc' }],
      select: {
        id: true,
        opensAt: true,
        dueAt: true,
        lateUntil: true,
        lateCredit: true,
        maxAttempts: true,
        course: { select: { code: true, title: true, timeZone: true } },
        exercise: { select: { slug: true, title: true, maxPoints: true } },
        overrides: { where: { userId }, select: { dueAt: true, lateUntil: true, extraAttempts: true } },
        _count: { select: { submissions: { where: { userId } } } },
      },
    });
    return rows.map((a) => {
      const p = effectivePolicy(a, a.overrides[0]);
      return {
        id: a.id,
        course: a.course,
        exercise: a.exercise,
        opensAt: a.opensAt,
        dueAt: p.dueAt,
        lateUntil: p.lateUntil,
        lateCredit: a.lateCredit,
        maxAttempts: p.maxAttempts,
        attemptsUsed: a._count.submissions,
      };
    });
  }
}
