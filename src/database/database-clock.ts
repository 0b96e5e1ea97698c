import type { Prisma } from '../generated/prisma/client';

/**
 * The database's clock. Submissions are received at the database's time (their createdAt), so the
 * times written after them — started, finished, graded — come from the same clock: a worker whose
 * clock drifts (measured by the fault suite: 5 minutes ahead gave "graded 6 minutes after being
 * received") must not show in what students and instructors read.
 */
export async function databaseNow(db: Pick<Prisma.TransactionClient, '$queryRaw'>): Promise<Date> {
  const [row] = await db.$queryRaw<{ now: Date }[]>`SELECT statement_timestamp() AS now`;
  return row.now;
}
