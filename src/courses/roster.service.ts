import { Injectable } from '@nestjs/common';
import { InvitationService } from '../auth/invitation.service';
import { PrismaService } from '../database/prisma.service';
import { CourseRole, Role } from '../generated/prisma/enums';
import type { ManagedCourse } from './courses.service';
import { parseRoster, RosterError } from './roster.csv';

export interface RosterImport {
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  errors: RosterError[];
  /** One-time links for the students who have no password yet (shown once; empty in a dry run). */
  invitations: { email: string; name: string; link: string }[];
}

export interface RosterEntry {
  userId: string;
  email: string;
  name: string;
  group: string;
  role: CourseRole;
  /** false until the student chose a password (accepted their invitation). */
  active: boolean;
}

/**
 * Roster import: the good lines of the CSV are enrolled (students created when new, with an
 * invitation link), the bad ones reported one by one. The writes are one transaction; a dry run
 * does the same reads and counts, and writes nothing. Students absent from the file stay enrolled.
 */
@Injectable()
export class RosterService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly invitations: InvitationService,
  ) {}

  async list(course: ManagedCourse): Promise<RosterEntry[]> {
    const rows = await this.prisma.enrolment.findMany({
      where: { courseId: course.id },
      select: {
        role: true,
        group: true,
        user: { select: { id: true, email: true, displayName: true, passwordHash: true } },
      },
    });
    return rows
      .map((e) => ({
        userId: e.user.id,
        email: e.user.email,
        name: e.user.displayName,
        group: e.group,
        role: e.role,
        active: e.user.passwordHash !== null,
      }))
      .sort((a, b) => a.role.localeCompare(b.role) || a.name.localeCompare(b.name, 'fr'));
  }

  async import(
    course: ManagedCourse,
    csv: string,
    options: { dryRun: boolean; invitedBy?: string },
  ): Promise<RosterImport> {
    const { lines, errors } = parseRoster(csv);
    const result: RosterImport = {
      dryRun: options.dryRun,
      created: 0,
      updated: 0,
      unchanged: 0,
      errors,
      invitations: [],
    };
    if (lines.length === 0) return result;
    return this.prisma.$transaction(
      async (tx) => {
        const users = await tx.user.findMany({
          where: { email: { in: lines.map((l) => l.email) } },
          select: { id: true, email: true, displayName: true, passwordHash: true },
        });
        const userByEmail = new Map(users.map((u) => [u.email, u]));
        const enrolments = await tx.enrolment.findMany({
          where: { courseId: course.id, userId: { in: users.map((u) => u.id) } },
          select: { userId: true, role: true, group: true },
        });
        const enrolmentByUser = new Map(enrolments.map((e) => [e.userId, e]));
        const newUsers: { email: string; displayName: string }[] = [];
        const newEnrolments: { email: string; group: string }[] = [];
        const renames: { id: string; displayName: string }[] = [];
        const regroups: { userId: string; group: string }[] = [];
        for (const l of lines) {
          const user = userByEmail.get(l.email);
          const enrolment = user && enrolmentByUser.get(user.id);
          if (enrolment && enrolment.role !== CourseRole.student) {
            errors.push({
              line: l.line,
              message: 'ce compte est enseignant de ce cours : il ne peut pas y être inscrit comme étudiant',
            });
            continue;
          }
          if (!user) newUsers.push({ email: l.email, displayName: l.name });
          if (!enrolment) {
            newEnrolments.push({ email: l.email, group: l.group });
            result.created++;
            continue;
          }
          const renamed = user.displayName !== l.name;
          const regrouped = enrolment.group !== l.group;
          if (renamed) renames.push({ id: user.id, displayName: l.name });
          if (regrouped) regroups.push({ userId: user.id, group: l.group });
          if (renamed || regrouped) result.updated++;
          else result.unchanged++;
        }
        errors.sort((a, b) => a.line - b.line);
        if (options.dryRun) return result;

        if (newUsers.length) await tx.user.createMany({ data: newUsers.map((u) => ({ ...u, role: Role.student })) });
        const created = newUsers.length
          ? await tx.user.findMany({
              where: { email: { in: newUsers.map((u) => u.email) } },
              select: { id: true, email: true, displayName: true, passwordHash: true },
            })
          : [];
        for (const u of created) userByEmail.set(u.email, u);
        if (newEnrolments.length) {
          await tx.enrolment.createMany({
            data: newEnrolments.map((e) => ({
              courseId: course.id,
              userId: userByEmail.get(e.email)!.id,
              role: CourseRole.student,
              group: e.group,
            })),
          });
        }
        for (const r of renames) await tx.user.update({ where: { id: r.id }, data: { displayName: r.displayName } });
        for (const g of regroups) {
          await tx.enrolment.update({
            where: { courseId_userId: { courseId: course.id, userId: g.userId } },
            data: { group: g.group },
          });
        }
        // New enrolments of people who never chose a password get a link; active accounts need none.
        const toInvite = newEnrolments.map((e) => userByEmail.get(e.email)!).filter((u) => u.passwordHash === null);
        const links = await this.invitations.createLinks(
          tx,
          toInvite.map((u) => u.id),
          options.invitedBy,
        );
        const nameOf = new Map(lines.map((l) => [l.email, l.name]));
        result.invitations = toInvite.map((u) => ({
          email: u.email,
          name: nameOf.get(u.email) ?? u.displayName,
          link: links.get(u.id)!.link,
        }));
        return result;
      },
      { timeout: 60_000, maxWait: 10_000 },
    );
  }
}
