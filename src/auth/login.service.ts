import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { LoginThrottle } from './login-throttle';
import { verifyPassword } from './password';

export type LoginOutcome =
  { ok: true; userId: string } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'locked'; retryInMs: number };

/**
 * Email + password login. Unknown email, account without a password and wrong password give the
 * same answer after the same work (one argon2 verification), so the form reveals no account.
 */
@Injectable()
export class LoginService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly throttle: LoginThrottle,
  ) {}

  async login(email: string, password: string, ip: string): Promise<LoginOutcome> {
    const normalized = email.trim().toLowerCase();
    const locked = await this.throttle.lockedFor(normalized, ip);
    if (locked > 0) return { ok: false, reason: 'locked', retryInMs: locked };
    const user = await this.prisma.user.findFirst({
      where: { email: { equals: normalized, mode: 'insensitive' } },
      select: { id: true, passwordHash: true },
    });
    const ok = await verifyPassword(user?.passwordHash, password);
    if (!ok || !user) {
      await this.throttle.fail(normalized, ip);
      // The failure that reaches the limit already answers with the lock.
      const now = await this.throttle.lockedFor(normalized, ip);
      return now > 0 ? { ok: false, reason: 'locked', retryInMs: now } : { ok: false, reason: 'invalid' };
    }
    await this.throttle.succeed(normalized, ip);
    return { ok: true, userId: user.id };
  }
}
