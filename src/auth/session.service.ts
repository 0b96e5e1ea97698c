import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { PrismaService } from '../database/prisma.service';
import type { Principal } from './principal';
import { hashToken } from './token';

export const SESSION_COOKIE = 'dg_session';

/** A live browser session: who it is, and the CSRF token of its forms. */
export interface WebSessionContext {
  principal: Principal;
  csrfToken: string;
  /** Hash of the cookie value: identifies the session without the secret. */
  tokenHash: string;
}

/** Idle expiry is refreshed at most this often, so that reading pages does not write a row each time. */
const TOUCH_EVERY_MS = 60_000;
const PURGE_EVERY_MS = 3_600_000;

/**
 * Server-side browser sessions in PostgreSQL. The cookie holds 32 random bytes; only their SHA-256
 * is stored, so a database leak gives no usable session. Any way of logging in (password today, an
 * LMS launch later) ends in create(), which is the one place a session starts.
 */
@Injectable()
export class SessionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SessionService.name);
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    private readonly prisma: PrismaService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  /** Sessions past their absolute end are removed hourly (idle ones go when next presented, or then). */
  onApplicationBootstrap(): void {
    const purge = () =>
      this.purgeExpired().catch((err: unknown) => this.logger.warn(`session purge failed: ${String(err)}`));
    this.purgeTimer = setInterval(purge, PURGE_EVERY_MS);
    this.purgeTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.purgeTimer);
  }

  /** Starts a session for `userId`; returns the cookie value (the only copy of the secret). */
  async create(userId: string): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.prisma.webSession.create({
      data: {
        tokenHash: hashToken(token),
        userId,
        csrfToken: randomBytes(24).toString('base64url'),
        expiresAt: new Date(Date.now() + this.env.SESSION_ABSOLUTE_HOURS * 3_600_000),
      },
    });
    return token;
  }

  /** The session named by a cookie value, or undefined when unknown, idle too long or past its end. */
  async resolve(token: string | undefined): Promise<WebSessionContext | undefined> {
    if (!token || token.length > 100) return undefined;
    const tokenHash = hashToken(token);
    const row = await this.prisma.webSession.findUnique({
      where: { tokenHash },
      select: { id: true, csrfToken: true, lastSeenAt: true, expiresAt: true, user: true },
    });
    if (!row) return undefined;
    const now = Date.now();
    if (row.expiresAt.getTime() <= now || row.lastSeenAt.getTime() + this.env.SESSION_IDLE_MINUTES * 60_000 <= now) {
      await this.prisma.webSession.deleteMany({ where: { id: row.id } });
      return undefined;
    }
    if (now - row.lastSeenAt.getTime() > TOUCH_EVERY_MS)
      await this.prisma.webSession.updateMany({ where: { id: row.id }, data: { lastSeenAt: new Date(now) } });
    return {
      principal: { id: row.user.id, role: row.user.role, email: row.user.email },
      csrfToken: row.csrfToken,
      tokenHash,
    };
  }

  /** Ends the session named by a cookie value (logout); unknown values are ignored. */
  async destroy(token: string | undefined): Promise<void> {
    if (!token) return;
    await this.prisma.webSession.deleteMany({ where: { tokenHash: hashToken(token) } });
  }

  /** Removes expired sessions (absolute end passed); idle ones go when next presented. */
  async purgeExpired(): Promise<number> {
    const { count } = await this.prisma.webSession.deleteMany({ where: { expiresAt: { lte: new Date() } } });
    return count;
  }

  /** Cookie attributes: HttpOnly, SameSite=Lax, Secure when the request came over https. */
  cookieOptions(secure: boolean): { httpOnly: true; sameSite: 'lax'; secure: boolean; path: '/'; maxAge: number } {
    return { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: this.env.SESSION_ABSOLUTE_HOURS * 3_600_000 };
  }
}

/** Constant-time comparison of two tokens (CSRF), false for any missing or mismatched one. */
export function sameToken(a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length === 0) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Cookies of a request header, by name (first wins); values are URI-decoded when possible. */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (!name || out.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep the raw value
    }
    out.set(name, value);
  }
  return out;
}
