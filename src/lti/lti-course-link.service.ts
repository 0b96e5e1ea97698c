import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { JWTPayload } from 'jose';
import { storableLabel } from '../common/safe-text';
import { PrismaService } from '../database/prisma.service';
import { retryOnUniqueRace } from '../database/unique-race';
import { CourseRole, Role } from '../generated/prisma/enums';
import { LTI, roleFromClaims } from './lti.claims';

interface ContextClaim {
  id?: unknown;
  title?: unknown;
  label?: unknown;
}

const courseTitle = storableLabel(200);

/**
 * The dockgrader course an LMS course stands for (the launch's LTI context), so that launches fill
 * the gradebook: the course is made at the first launch from that context (code `LMS-…`, the LMS
 * course's title), and every launch enrols its user — a learner as a student, a teacher as an
 * instructor (who then finds the course among theirs and gives its assignments deadlines here).
 * A learner launch never demotes anyone: a teacher trying the activity as a student stays one.
 */
@Injectable()
export class LtiCourseLinkService {
  constructor(private readonly prisma: PrismaService) {}

  /** The course of the launch's context, with `userId` enrolled; undefined for a launch without context. */
  async enrol(platformId: string, claims: JWTPayload, userId: string): Promise<string | undefined> {
    const context = claims[LTI.context] as ContextClaim | undefined;
    const contextId = context?.id;
    if (typeof contextId !== 'string' || !contextId || contextId.length > 255) return undefined;
    const course = await retryOnUniqueRace(() =>
      this.prisma.course.upsert({
        where: { ltiPlatformId_ltiContextId: { ltiPlatformId: platformId, ltiContextId: contextId } },
        create: {
          code: lmsCourseCode(platformId, contextId),
          title: titleOf(context!),
          ltiPlatformId: platformId,
          ltiContextId: contextId,
        },
        update: {},
        select: { id: true },
      }),
    );
    const role = roleFromClaims(claims[LTI.roles]) === Role.instructor ? CourseRole.instructor : CourseRole.student;
    await retryOnUniqueRace(() =>
      this.prisma.enrolment.upsert({
        where: { courseId_userId: { courseId: course.id, userId } },
        create: { courseId: course.id, userId, role },
        update: role === CourseRole.instructor ? { role } : {},
      }),
    );
    return course.id;
  }

  /** The course's assignment of exercise `slug`, once its instructors gave one. */
  async assignmentOf(courseId: string, slug: string): Promise<string | undefined> {
    const assignment = await this.prisma.assignment.findFirst({
      where: { courseId, exercise: { slug } },
      select: { id: true },
    });
    return assignment?.id;
  }
}

/** Stable per (platform, context), valid as a course code, and never one a teacher would type. */
export function lmsCourseCode(platformId: string, contextId: string): string {
  return `LMS-${createHash('sha256').update(`${platformId}/${contextId}`).digest('hex').slice(0, 12).toUpperCase()}`;
}

function titleOf(context: ContextClaim): string {
  for (const candidate of [context.title, context.label]) {
    const parsed = courseTitle.safeParse(candidate);
    if (parsed.success) return parsed.data;
  }
  return 'Cours de la plateforme LMS';
}
