import { Prisma } from '../generated/prisma/client';

/**
 * Runs an idempotent write (an upsert) and runs it once more if it lost a race on a unique key.
 * Prisma's upsert is a read then a write, so two processes starting together (several api
 * processes, API_WORKERS > 1) can both try the insert; the loser's second try sees the row.
 */
export async function retryOnUniqueRace<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return write();
    throw err;
  }
}
