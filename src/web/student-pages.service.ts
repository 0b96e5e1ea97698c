import { Inject, Injectable } from '@nestjs/common';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { PrismaService } from '../database/prisma.service';
import { DomainError } from '../common/domain-error';
import type { Principal } from '../auth/principal';
import { exercisesRoot } from '../exercises/exercises.service';
import { SubmissionsService, type SubmissionView } from '../submissions/submissions.service';
import { chapterTitle, compareChapters } from './chapters';
import type { DashboardChapter } from './views/dashboard-page';
import type { Status } from './views/format';
import type { HistoryRow } from './views/history-page';

export const HISTORY_PAGE_SIZE = 20;

interface ExerciseRow {
  slug: string;
  title: string;
  maxPoints: number;
  chapter: string;
  instructions: string;
}

/**
 * What the student pages show, read for one principal. Access to a submission goes through
 * SubmissionsService, the one place that decides who sees what (API and pages alike); a student
 * asking for another's submission gets "not found", so the page does not even confirm it exists.
 */
@Injectable()
export class StudentPagesService {
  private readonly expectedFilesCache = new Map<string, string[]>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly submissions: SubmissionsService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async dashboard(principal: Principal): Promise<DashboardChapter[]> {
    const [exercises, progress] = await Promise.all([
      this.prisma.exercise.findMany({
        where: { published: true },
        select: { id: true, slug: true, title: true, maxPoints: true, chapter: true },
        orderBy: { slug: 'asc' },
      }),
      // One statement for every exercise: attempts that count (an infrastructure error does not),
      // the best current score, the newest status.
      this.prisma.$queryRaw<{ exercise_id: string; attempts: number; best: number | null; last_status: Status }[]>`
        SELECT s.exercise_id,
               (count(*) FILTER (WHERE s.status NOT IN ('error', 'internal_error')))::int AS attempts,
               max(r.score) AS best,
               (array_agg(s.status::text ORDER BY s.created_at DESC))[1] AS last_status
        FROM submissions s
        LEFT JOIN LATERAL (
          SELECT score FROM results WHERE submission_id = s.id ORDER BY attempt DESC LIMIT 1
        ) r ON true
        WHERE s.user_id = ${principal.id}::uuid
        GROUP BY s.exercise_id`,
    ]);
    const byExercise = new Map(progress.map((p) => [p.exercise_id, p]));
    const chapters = new Map<string, DashboardChapter['exercises']>();
    for (const e of exercises) {
      const p = byExercise.get(e.id);
      const list = chapters.get(e.chapter) ?? [];
      list.push({
        slug: e.slug,
        title: e.title,
        maxPoints: e.maxPoints,
        bestScore: p?.best ?? null,
        lastStatus: p?.last_status ?? null,
        attempts: p?.attempts ?? 0,
      });
      chapters.set(e.chapter, list);
    }
    return [...chapters.entries()]
      .sort(([a], [b]) => compareChapters(a, b))
      .map(([file, list]) => ({ title: chapterTitle(file), exercises: list }));
  }

  async exercise(slug: string): Promise<ExerciseRow & { expectedFiles: string[]; chapterTitle: string }> {
    const row = await this.prisma.exercise.findFirst({
      where: { slug, published: true },
      select: { slug: true, title: true, maxPoints: true, chapter: true, instructions: true },
    });
    if (!row) throw DomainError.notFound(`exercise ${slug}`);
    return { ...row, chapterTitle: chapterTitle(row.chapter), expectedFiles: await this.expectedFiles(slug) };
  }

  /** Files the reference solution attaches (exercises/<slug>/solutions/files/): what the form asks for. */
  private async expectedFiles(slug: string): Promise<string[]> {
    const cached = this.expectedFilesCache.get(slug);
    if (cached) return cached;
    let files: string[] = [];
    try {
      files = (await readdir(join(exercisesRoot(this.env), slug, 'solutions', 'files'))).sort();
    } catch {
      // no files folder: the exercise needs only commands
    }
    this.expectedFilesCache.set(slug, files);
    return files;
  }

  /** One submission for its page; another student's is "not found" (SubmissionsService.get). */
  async submission(principal: Principal, id: string): Promise<SubmissionView & { exerciseTitle: string }> {
    const view = await this.submissions.get(principal, id);
    const ex = await this.prisma.exercise.findUnique({ where: { slug: view.exercise }, select: { title: true } });
    return { ...view, exerciseTitle: ex?.title ?? view.exercise };
  }

  async history(principal: Principal, cursor?: string): Promise<{ rows: HistoryRow[]; nextCursor: string | null }> {
    const page = await this.submissions.list(principal, { limit: HISTORY_PAGE_SIZE, cursor, user: undefined });
    const ids = page.items.map((i) => i.id);
    const [results, exercises] = await Promise.all([
      this.prisma.result.findMany({
        where: { submissionId: { in: ids } },
        select: { submissionId: true, attempt: true, score: true, maxScore: true },
        orderBy: { attempt: 'asc' },
      }),
      this.prisma.exercise.findMany({
        where: { slug: { in: [...new Set(page.items.map((i) => i.exercise))] } },
        select: { slug: true, title: true },
      }),
    ]);
    const current = new Map(results.map((r) => [r.submissionId, r])); // ascending: the newest attempt wins
    const titles = new Map(exercises.map((e) => [e.slug, e.title]));
    return {
      nextCursor: page.nextCursor,
      rows: page.items.map((i) => {
        const r = i.status === 'graded' ? current.get(i.id) : undefined;
        return {
          id: i.id,
          exerciseTitle: titles.get(i.exercise) ?? i.exercise,
          status: i.status,
          createdAt: i.createdAt,
          score: r?.score ?? null,
          maxScore: r?.maxScore ?? null,
        };
      }),
    };
  }
}
