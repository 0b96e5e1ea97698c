import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { loadEnv } from '../../../src/config/env';
import { InvitationService } from '../../../src/auth/invitation.service';
import { PrismaService } from '../../../src/database/prisma.service';
import { Role } from '../../../src/generated/prisma/enums';
import { AssignmentsService } from '../../../src/courses/assignments.service';
import { CoursesService, ManagedCourse } from '../../../src/courses/courses.service';
import { checksCsv, gradebookCsv } from '../../../src/courses/gradebook.csv';
import { GradebookService } from '../../../src/courses/gradebook.service';
import { RosterService } from '../../../src/courses/roster.service';
import { CountedScorePolicy } from '../../../src/lms/counted-score.policy';

/**
 * Roster import and gradebook queries on the run's PostgreSQL: the services as the API uses them,
 * with grading results written as the worker stores them (the worker itself is the e2e tier's).
 */
describe('courses on PostgreSQL', () => {
  const env = loadEnv(process.env);
  const prisma = new PrismaService(env);
  const courses = new CoursesService(prisma);
  const roster = new RosterService(prisma, new InvitationService(prisma, env));
  const assignments = new AssignmentsService(prisma);
  const gradebook = new GradebookService(prisma);
  let instructor: { id: string; role: Role; email: string };
  let exercise: { id: string; slug: string; version: string };
  const tag = randomBytes(3).toString('hex');

  beforeAll(async () => {
    const u = await prisma.user.create({
      data: { email: `prof-${tag}@test.local`, displayName: 'Prof', role: Role.instructor },
    });
    instructor = { id: u.id, role: u.role, email: u.email };
    exercise = await prisma.exercise.create({
      data: { slug: `ex-${tag}`, title: 'Exercice', version: 'v1', maxPoints: 10 },
      select: { id: true, slug: true, version: true },
    });
  });
  afterAll(async () => {
    await prisma.$disconnect();
  });

  const newCourse = async (suffix: string): Promise<ManagedCourse> => {
    const c = await courses.create(instructor, {
      code: `C-${tag}-${suffix}`,
      title: 'Cours',
      term: '',
      timeZone: 'Europe/Paris',
    });
    return courses.managed(instructor, c.code);
  };

  describe('roster import', () => {
    it('imports 497 of 500 lines, reporting the 3 bad ones by line in French', async () => {
      const course = await newCourse('r500');
      const lines = ['email,name,group'];
      for (let i = 0; i < 500; i++) lines.push(`s${i}-${tag}@test.local,Étudiant ${i},TP${i % 4}`);
      lines[1 + 10] = `pas-une-adresse,Quelqu'un,TP1`; // file line 12
      lines[1 + 200] = `s200-${tag}@test.local,,TP1`; // line 202: no name
      lines[1 + 300] = `s5-${tag}@test.local,Doublon,TP2`; // line 302: duplicate of line 7
      const csv = lines.join('\r\n') + '\r\n';

      const preview = await roster.import(course, csv, { dryRun: true, invitedBy: instructor.id });
      expect(preview).toMatchObject({ dryRun: true, created: 497, updated: 0, unchanged: 0, invitations: [] });
      expect(await prisma.enrolment.count({ where: { courseId: course.id, role: 'student' } })).toBe(0);

      const started = Date.now();
      const result = await roster.import(course, csv, { dryRun: false, invitedBy: instructor.id });
      const elapsed = Date.now() - started;
      expect(result.created).toBe(497);
      expect(result.errors).toEqual([
        { line: 12, message: 'adresse e-mail invalide : « pas-une-adresse »' },
        { line: 202, message: 'nom manquant' },
        { line: 302, message: 'adresse e-mail en double (déjà à la ligne 7)' },
      ]);
      expect(await prisma.enrolment.count({ where: { courseId: course.id, role: 'student' } })).toBe(497);
      expect(result.invitations).toHaveLength(497);
      expect(result.invitations[0].link).toMatch(/\/invitation\/[A-Za-z0-9_-]{40,}$/);
      expect(await prisma.invitation.count({ where: { user: { email: { endsWith: `-${tag}@test.local` } } } })).toBe(
        497,
      );
      // Measured for the report (noisy machine): one transaction, a handful of statements.
      console.log(`roster import of 500 lines: ${elapsed} ms`);

      // Same file again: nothing new; one renamed and one regrouped line are updates.
      const again = lines.slice();
      again[1] = `s0-${tag}@test.local,Étudiant Zéro,TP0`;
      again[2] = `s1-${tag}@test.local,Étudiant 1,TP9`;
      const second = await roster.import(course, again.join('\n'), { dryRun: false, invitedBy: instructor.id });
      expect(second).toMatchObject({ created: 0, updated: 2, unchanged: 495, invitations: [] });
      const s1 = await prisma.enrolment.findFirstOrThrow({
        where: { courseId: course.id, user: { email: `s1-${tag}@test.local` } },
      });
      expect(s1.group).toBe('TP9');
    });

    it('refuses a bad header, reads ; separated files and never enrols an instructor of the course as a student', async () => {
      const course = await newCourse('hdr');
      const bad = await roster.import(course, 'mail;prenom\nx@y.z;X\n', { dryRun: false });
      expect(bad.errors).toEqual([{ line: 1, message: 'en-tête attendu : email,name,group' }]);
      const semi = await roster.import(
        course,
        `\uFEFFemail;nom;groupe\na-${tag}@test.local;Anaïs;TD 1\n${instructor.email};Prof;\n`,
        {
          dryRun: false,
        },
      );
      expect(semi.created).toBe(1);
      expect(semi.errors).toEqual([{ line: 3, message: expect.stringContaining('enseignant de ce cours') }]);
    });
  });

  describe('gradebook', () => {
    it('counts the best or last credited score, marks late and practice, and exports the same numbers', async () => {
      const course = await newCourse('gb');
      await roster.import(
        course,
        `email,name,group\nalice-${tag}@test.local,Alice,A\nbob-${tag}@test.local,"=HYPERLINK(""http://evil"")",B\ncarol-${tag}@test.local,Carole Dupré,A\n`,
        { dryRun: false },
      );
      const due = new Date(Date.now() - 3_600_000);
      const a = await assignments.create(course, {
        exercise: exercise.slug,
        dueAt: due,
        lateUntil: new Date(Date.now() + 86_400_000),
        lateCredit: 0.5,
        counted: 'best',
        revealHiddenAfterDue: false,
      });
      const users = await prisma.user.findMany({ where: { email: { endsWith: `-${tag}@test.local` } } });
      const id = (p: string) => users.find((u) => u.email.startsWith(p))!.id;
      const submit = async (
        userId: string,
        n: number,
        credit: number,
        practiceReason: 'late' | 'attempts' | null,
        score: number | null,
        checks: { id: string; passed: boolean }[] = [],
      ) => {
        const s = await prisma.submission.create({
          data: {
            userId,
            exerciseId: exercise.id,
            exerciseVersion: 'v1',
            source: 'docker ps',
            status: score === null ? 'error' : 'graded',
            assignmentId: a.id,
            assignmentAttempt: n,
            credit,
            practiceReason,
            createdAt: new Date(Date.now() - 1000 * (10 - n)),
          },
        });
        if (score !== null) {
          await prisma.result.create({
            data: {
              submissionId: s.id,
              exerciseVersion: 'v1',
              score,
              maxScore: 10,
              checks: checks.map((c) => ({
                ...c,
                title: `Vérif ${c.id}`,
                points: c.passed ? 5 : 0,
                maxPoints: 5,
                message: '',
              })),
              transcript: [],
              imageDigests: {},
            },
          });
        }
        return s.id;
      };
      // Alice: on time 4/10, then late full solution: best credited = max(4, 10 × 0.5) = 5, late.
      await submit(id('alice'), 1, 1, null, 4, [
        { id: 'run', passed: true },
        { id: 'port', passed: false },
      ]);
      const aliceLate = await submit(id('alice'), 2, 0.5, null, 10, [
        { id: 'run', passed: true },
        { id: 'port', passed: true },
      ]);
      // Bob: a failed grading and a practice 10 (counts 0).
      await submit(id('bob'), 1, 1, null, null);
      const bobPractice = await submit(id('bob'), 2, 0, 'late', 10);

      const book = await gradebook.gradebook(course);
      const row = (p: string) => book.rows.find((r) => r.email.startsWith(p))!;
      expect(row('alice').cells[a.id]).toEqual({
        counted: 5,
        attempts: 2,
        late: true,
        practice: 0,
        errors: 0,
        pending: 0,
        countedSubmissionId: aliceLate,
      });
      expect(row('bob').cells[a.id]).toMatchObject({ counted: 0, attempts: 2, practice: 1, errors: 1, late: false });
      expect(row('carol').cells[a.id]).toMatchObject({ counted: null, attempts: 0 });
      expect(book.assignmentTotals[a.id]).toEqual({ mean: 2.5, graded: 2 });
      // What the LMS is sent (webhook countedScore, LTI scoreGiven) is what the gradebook counts.
      const counted = new CountedScorePolicy();
      expect(await counted.countedScore(prisma, aliceLate)).toEqual({ score: 5, maxScore: 10 });
      expect(await counted.countedScore(prisma, bobPractice)).toEqual({ score: 0, maxScore: 10 });
      const free = await prisma.submission.create({
        data: { userId: id('carol'), exerciseId: exercise.id, exerciseVersion: 'v1', source: 'docker ps' },
      });
      expect(await counted.countedScore(prisma, free.id)).toBeNull();

      // "last": Alice's last counting submission is the late one too; switching keeps 5.
      await assignments.update(course, a.id, { counted: 'last' });
      expect(
        (await gradebook.gradebook(course)).rows.find((r) => r.email.startsWith('alice'))!.cells[a.id].counted,
      ).toBe(5);

      const csv = gradebookCsv(await gradebook.gradebook(course), { sep: ',' });
      expect(csv.startsWith('\uFEFFemail,name,group,' + exercise.slug + ',total\r\n')).toBe(true);
      const records = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
      expect(records.find((r) => r.email.startsWith('alice'))).toMatchObject({ [exercise.slug]: '5', total: '5' });
      // The formula is kept as text: prefixed with a quote by escape_formulas.
      expect(records.find((r) => r.email.startsWith('bob'))!.name).toBe(`'=HYPERLINK("http://evil")`);
      expect(records.find((r) => r.email.startsWith('carol'))).toMatchObject({
        name: 'Carole Dupré',
        [exercise.slug]: '',
      });

      const semi = gradebookCsv(await gradebook.gradebook(course), { sep: ';' });
      expect(semi.split('\r\n')[0]).toBe(`\uFEFFemail;name;group;${exercise.slug};total`);

      const checks = checksCsv(await gradebook.checkMatrix(course, a.id), { sep: ',' });
      const checkRows = parse(checks, { bom: true, columns: true }) as Record<string, string>[];
      expect(checkRows.find((r) => r.email.startsWith('alice'))).toMatchObject({ run: '1', port: '1', score: '5' });
      expect(checkRows.find((r) => r.email.startsWith('carol'))).toMatchObject({ run: '', port: '' });
    });

    it('raises a late credit when an extension is granted, and never lowers one when the deadline is moved earlier', async () => {
      const course = await newCourse('ext');
      await roster.import(course, `email,name,group\ndan-${tag}@test.local,Dan,\n`, { dryRun: false });
      const dan = await prisma.user.findUniqueOrThrow({ where: { email: `dan-${tag}@test.local` } });
      const a = await assignments.create(course, {
        exercise: exercise.slug,
        dueAt: new Date(Date.now() - 7_200_000),
        lateUntil: null,
        lateCredit: 0,
        maxAttempts: 1,
        counted: 'best',
        revealHiddenAfterDue: false,
      });
      const s = await prisma.submission.create({
        data: {
          userId: dan.id,
          exerciseId: exercise.id,
          exerciseVersion: 'v1',
          source: 'x',
          assignmentId: a.id,
          assignmentAttempt: 1,
          credit: 0,
          practiceReason: 'late',
          createdAt: new Date(Date.now() - 3_600_000),
        },
      });
      const granted = await assignments.grantOverride(
        course,
        a.id,
        { user: dan.email, dueAt: new Date(), extraAttempts: 0 },
        instructor.id,
      );
      expect(granted.recredited).toBe(1);
      expect(await prisma.submission.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({
        credit: 1,
        practiceReason: null,
      });
      // Moving the assignment's deadline earlier keeps what was earned.
      await assignments.update(course, a.id, { dueAt: new Date(Date.now() - 9_000_000) });
      expect(await prisma.submission.findUniqueOrThrow({ where: { id: s.id } })).toMatchObject({ credit: 1 });
      // Inside the late window (half credit), an extension of the due date makes it full credit.
      const course2 = await newCourse('ext2');
      await roster.import(course2, `email,name,group\ndan-${tag}@test.local,Dan,\n`, { dryRun: false });
      const b = await assignments.create(course2, {
        exercise: exercise.slug,
        dueAt: new Date(Date.now() - 7_200_000),
        lateUntil: new Date(Date.now() + 86_400_000),
        lateCredit: 0.5,
        counted: 'best',
        revealHiddenAfterDue: false,
      });
      const late = await prisma.submission.create({
        data: {
          userId: dan.id,
          exerciseId: exercise.id,
          exerciseVersion: 'v1',
          source: 'x',
          assignmentId: b.id,
          assignmentAttempt: 1,
          credit: 0.5,
          createdAt: new Date(Date.now() - 3_600_000),
        },
      });
      const ext = await assignments.grantOverride(
        course2,
        b.id,
        { user: dan.email, dueAt: new Date(Date.now() + 86_000_000), extraAttempts: 0 },
        instructor.id,
      );
      expect(ext.recredited).toBe(1);
      expect(await prisma.submission.findUniqueOrThrow({ where: { id: late.id } })).toMatchObject({
        credit: 1,
        practiceReason: null,
      });
      await expect(
        assignments.grantOverride(course, a.id, { user: `nobody-${tag}@test.local`, extraAttempts: 1 }, instructor.id),
      ).rejects.toMatchObject({
        details: { fields: [{ field: 'user', message: expect.stringContaining('pas inscrit') }] },
      });
    });
  });
});
