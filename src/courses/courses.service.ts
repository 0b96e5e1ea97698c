import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '../common/domain-error';
import { PrismaService } from '../database/prisma.service';
import { CourseRole, Role } from '../generated/prisma/enums';
import type { Principal } from '../auth/principal';
import type { CreateCourseInput } from './course.schemas';

export interface CourseView {
  id: string;
  code: string;
  title: string;
  term: string;
  timeZone: string;
  students: number;
  assignments: number;
  createdAt: Date;
}

/** The course row the access check hands to every course service. */
export interface ManagedCourse {
  id: string;
  code: string;
  title: string;
  term: string;
  timeZone: string;
}

const STAFF_ROLES: CourseRole[] = [CourseRole.instructor, CourseRole.assistant];

/**
 * Courses and who may manage them: an admin every course, an instructor the courses where they are
 * enrolled as instructor or assistant. Another course is "not found" (its existence is not leaked).
 */
@Injectable()
export class CoursesService {
  constructor(private readonly prisma: PrismaService) {}

  /** Creates the course with its creator as instructor, in one transaction. */
  async create(principal: Principal, input: CreateCourseInput): Promise<CourseView> {
    const course = await this.prisma.$transaction(async (tx) => {
      const exists = await tx.course.findUnique({ where: { code: input.code }, select: { id: true } });
      if (exists) throw DomainError.validation([{ field: 'code', message: 'ce code de cours existe déjà' }]);
      const created = await tx.course.create({
        data: { code: input.code, title: input.title, term: input.term, timeZone: input.timeZone },
      });
      await tx.enrolment.create({ data: { courseId: created.id, userId: principal.id, role: CourseRole.instructor } });
      return created;
    });
    return { ...pick(course), students: 0, assignments: 0, createdAt: course.createdAt };
  }

  async list(principal: Principal): Promise<CourseView[]> {
    const rows = await this.prisma.course.findMany({
      where:
        principal.role === Role.admin
          ? {}
          : { enrolments: { some: { userId: principal.id, role: { in: STAFF_ROLES } } } },
      orderBy: [{ createdAt: 'desc' }, { code: 'asc' }],
      include: {
        _count: { select: { assignments: true, enrolments: { where: { role: CourseRole.student } } } },
      },
    });
    return rows.map((c) => ({
      ...pick(c),
      students: c._count.enrolments,
      assignments: c._count.assignments,
      createdAt: c.createdAt,
    }));
  }

  /** The course `code` when the principal manages it; else not found. */
  async managed(principal: Principal, code: string): Promise<ManagedCourse> {
    const course = await this.prisma.course.findUnique({
      where: { code },
      select: {
        id: true,
        code: true,
        title: true,
        term: true,
        timeZone: true,
        enrolments: { where: { userId: principal.id, role: { in: STAFF_ROLES } }, select: { id: true } },
      },
    });
    if (!course || (principal.role !== Role.admin && course.enrolments.length === 0)) {
      throw new DomainError(ErrorCode.NotFound, `cours ${code} introuvable`);
    }
    return pick(course);
  }
}

function pick(c: ManagedCourse): ManagedCourse {
  return { id: c.id, code: c.code, title: c.title, term: c.term, timeZone: c.timeZone };
}
