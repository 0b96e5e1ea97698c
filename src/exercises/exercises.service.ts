import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { DomainError } from '../common/domain-error';

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
  constructor(private readonly prisma: PrismaService) {}

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
    const row = await this.prisma.exercise.findFirst({ where: { slug, published: true }, select: { id: true, version: true } });
    if (!row) throw DomainError.notFound(`exercise ${slug}`);
    return row;
  }
}
