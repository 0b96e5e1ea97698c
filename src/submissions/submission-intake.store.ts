import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DatabaseError } from 'pg';
import { HotPathSql } from '../common/sql-pool';

export interface NewSubmission {
  userId: string;
  exerciseId: string;
  exerciseVersion: string;
  source: string;
  files: unknown;
  idempotencyKey: string | null;
}

/** Raised when (user, Idempotency-Key) already names a submission (another request won the race). */
export class DuplicateIdempotencyKey extends Error {}

/**
 * The intake's one write: a single `INSERT … RETURNING` on the hot-path pg pool (why not Prisma:
 * src/common/sql-pool.ts). Reading, regrading and grading of submissions stay on Prisma.
 */
@Injectable()
export class SubmissionIntakeStore {
  constructor(private readonly sql: HotPathSql) {}

  /** Inserts a queued submission (attempt 1) and returns its id; throws DuplicateIdempotencyKey on a key replay. */
  async insert(s: NewSubmission): Promise<{ id: string; attempt: number }> {
    const id = randomUUID();
    try {
      const { rows } = await this.sql.pool.query<{ attempt: number }>(
        `INSERT INTO submissions (id, user_id, exercise_id, exercise_version, source, files, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) RETURNING attempt`,
        [id, s.userId, s.exerciseId, s.exerciseVersion, s.source, JSON.stringify(s.files ?? []), s.idempotencyKey],
      );
      return { id, attempt: rows[0].attempt };
    } catch (err) {
      if (err instanceof DatabaseError && err.code === '23505' && err.constraint?.includes('idempotency')) {
        throw new DuplicateIdempotencyKey(err.message);
      }
      throw err;
    }
  }
}
