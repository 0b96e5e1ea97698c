/**
 * The intake's raw SQL: every statement a request runs outside Prisma's query builder, kept here
 * beside the Prisma adapter so a schema change has one place to look. They name the tables and
 * columns of prisma/schema.prisma (snake_case, as its @map says) and rely on its defaults (the
 * attempt number and created_at come from the database).
 *
 * Why raw: the hot-path ones run on the pg pool (Prisma's CPU cost per row: hot-path-sql.ts); the
 * enrolment lock has no Prisma equivalent (SELECT … FOR UPDATE).
 *
 * test/integration/database/intake-statements.int-spec.ts runs each one against the migrated
 * schema and fails when a statement is added here without being run there.
 */
export const INTAKE_SQL = {
  /** Group insert of free submissions; a row whose (user, idempotency key) exists is skipped, not an error. */
  insertSubmissions: `INSERT INTO submissions (id, user_id, exercise_id, exercise_version, source, files, idempotency_key)
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::jsonb[], $7::text[])
    ON CONFLICT DO NOTHING RETURNING id, attempt`,

  /** One free submission; a key replay fails with the idempotency constraint's unique violation. */
  insertSubmission: `INSERT INTO submissions (id, user_id, exercise_id, exercise_version, source, files, idempotency_key)
    VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7) RETURNING attempt`,

  /** The auth guard's lookup of many token hashes at once (batched per event-loop turn). */
  tokensByHash: `SELECT t.token_hash AS hash, t.revoked_at AS "revokedAt", t.last_used_at AS "lastUsedAt", u.id, u.role, u.email
    FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ANY($1::text[])`,

  /** The per-(student, course) lock that orders the attempt numbers of an assignment's submissions. */
  lockEnrolment: `SELECT id FROM enrolments WHERE course_id = $1::uuid AND user_id = $2::uuid FOR UPDATE`,

  /** The received time of an assignment submission: the transaction's clock, the database's, never the api's. */
  receivedAt: `SELECT now() AS now`,
} as const;
