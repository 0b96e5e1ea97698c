import { Inject, Injectable, Logger } from '@nestjs/common';
import { resolve } from 'node:path';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { PrismaService } from '../database/prisma.service';
import { retryOnUniqueRace } from '../database/unique-race';
import { DomainError } from '../common/domain-error';
import { loadCatalogue } from './exercise.loader';
import { ExerciseVersionStore } from './exercise-version.store';

/** How long intake trusts a known exercise row (a catalogue sync is visible after this delay). */
const INTAKE_CACHE_MS = 5_000;

/** The catalogue folder: EXERCISES_DIR, else the repository's exercises/ (same from src/ and dist/). */
export function exercisesRoot(env: Env): string {
  return resolve(env.EXERCISES_DIR ?? resolve(__dirname, '../../exercises'));
}

export interface ExerciseSummary {
  slug: string;
  title: string;
  version: string;
  maxPoints: number;
}

export interface ExerciseDetail extends ExerciseSummary {
  instructions: string;
}

/** The published exercise catalogue as students see it (served from PostgreSQL). */
@Injectable()
export class ExercisesService {
  private readonly logger = new Logger(ExercisesService.name);
  // Intake at deadline peaks asks for the same few exercises a thousand times a second.
  private readonly intakeCache = new Map<string, { row: { id: string; version: string }; expires: number }>();

  constructor(
    private readonly prisma: PrismaService,
    @Inject(ENV) private readonly env: Env,
    private readonly versions: ExerciseVersionStore,
  ) {}

  /**
   * Makes the Exercise table match the catalogue on disk: upsert by slug (version = content hash),
   * store the definition under its hash when it is new (every version is kept, so that a grade can
   * be recomputed with the definition it was given under), and unpublish exercises that left the catalogue (their submissions stay). A broken exercise
   * stops the api with the file and field named.
   */
  async syncCatalogue(): Promise<number> {
    const catalogue = await loadCatalogue(exercisesRoot(this.env));
    for (const ex of catalogue) {
      const data = {
        title: ex.definition.title,
        version: ex.version,
        maxPoints: Math.round(ex.maxScore),
        instructions: ex.instructions,
        chapter: ex.definition.chapter ?? '',
        published: true,
      };
      const row = await retryOnUniqueRace(() =>
        this.prisma.exercise.upsert({
          where: { slug: ex.definition.slug },
          create: { slug: ex.definition.slug, ...data },
          update: data,
          select: { id: true },
        }),
      );
      await this.versions.ensure(row.id, ex);
    }
    await this.prisma.exercise.updateMany({
      where: { slug: { notIn: catalogue.map((e) => e.definition.slug) }, published: true },
      data: { published: false },
    });
    this.logger.log(`exercise catalogue synced: ${catalogue.length} exercises`);
    return catalogue.length;
  }

  list(): Promise<ExerciseSummary[]> {
    return this.prisma.exercise.findMany({
      where: { published: true },
      orderBy: { slug: 'asc' },
      select: { slug: true, title: true, version: true, maxPoints: true },
    });
  }

  async get(slug: string): Promise<ExerciseDetail> {
    const row = await this.prisma.exercise.findFirst({
      where: { slug, published: true },
      select: { slug: true, title: true, version: true, maxPoints: true, instructions: true },
    });
    if (!row) throw DomainError.notFound(`exercise ${slug}`);
    return row;
  }

  /** The row a new submission points at; unknown or unpublished slugs are 404. */
  async forSubmission(slug: string): Promise<{ id: string; version: string }> {
    const now = Date.now();
    const cached = this.intakeCache.get(slug);
    if (cached && cached.expires > now) return cached.row;
    const row = await this.prisma.exercise.findFirst({ where: { slug, published: true }, select: { id: true, version: true } });
    if (!row) throw DomainError.notFound(`exercise ${slug}`);
    if (this.intakeCache.size > 1000) this.intakeCache.clear();
    this.intakeCache.set(slug, { row, expires: now + INTAKE_CACHE_MS });
    return row;
  }
}
