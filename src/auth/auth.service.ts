import { Injectable, Optional } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { retryOnUniqueRace } from '../database/unique-race';
import { Role } from '../generated/prisma/enums';
import { DomainError } from '../common/domain-error';
import { HotPathSql } from '../common/sql-pool';
import { Batcher } from '../common/batcher';
import type { Principal } from './principal';
import { generateToken, hashToken } from './token';

/** How long a verified token is trusted without asking PostgreSQL again (revocation delay). */
const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 10_000;
/** Tokens looked up by one statement, at most. */
const MAX_LOOKUP_BATCH = 200;

type TokenRow = { revokedAt: Date | null; id: string; role: Role; email: string };

interface PendingLookup {
  hash: string;
  resolve: (row: TokenRow | undefined) => void;
  reject: (error: unknown) => void;
}

export interface CreatedUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
}

/** Users and their bearer tokens: creation, verification, and the bootstrap admin. */
@Injectable()
export class AuthService {
  // Intake at deadline peaks is ~1000 requests/s: a short cache keeps a query off a student's next requests.
  private readonly cache = new Map<string, { principal: Principal; expires: number }>();

  constructor(
    private readonly prisma: PrismaService,
    // Absent outside the api process (the admin CLI): Prisma then.
    @Optional() private readonly sql?: HotPathSql,
  ) {}

  /** The principal owning `token`, or undefined for an unknown or revoked token. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const hash = hashToken(token);
    const cached = this.cache.get(hash);
    const now = Date.now();
    if (cached && cached.expires > now) return cached.principal;
    const row = await this.lookup(hash);
    if (!row || row.revokedAt) {
      this.cache.delete(hash);
      return undefined;
    }
    const principal: Principal = { id: row.id, role: row.role, email: row.email };
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(hash, { principal, expires: now + CACHE_TTL_MS });
    return principal;
  }

  /**
   * At a deadline nearly every request is a different student, so a cache miss each: the lookups
   * of requests arriving together go out as one statement (Batcher), one round trip and one
   * PostgreSQL transaction for tens of them instead of one each.
   */
  private readonly lookups = new Batcher<PendingLookup>((batch) => this.lookupMany(batch), MAX_LOOKUP_BATCH);

  private lookup(hash: string): Promise<TokenRow | undefined> {
    if (this.sql) return new Promise((resolve, reject) => this.lookups.add({ hash, resolve, reject }));
    return this.prisma.apiToken
      .findUnique({
        where: { tokenHash: hash },
        select: { revokedAt: true, user: { select: { id: true, role: true, email: true } } },
      })
      .then((row) => (row ? { revokedAt: row.revokedAt, ...row.user } : undefined));
  }

  private async lookupMany(batch: PendingLookup[]): Promise<void> {
    try {
      // Plain SQL on the hot-path pool (Prisma's CPU cost: src/common/sql-pool.ts).
      const { rows } = await this.sql!.pool.query<TokenRow & { hash: string }>(
        'SELECT t.token_hash AS hash, t.revoked_at AS "revokedAt", u.id, u.role, u.email FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ANY($1::text[])',
        [[...new Set(batch.map((p) => p.hash))]],
      );
      const byHash = new Map(rows.map(({ hash, ...row }) => [hash, row]));
      for (const p of batch) p.resolve(byHash.get(p.hash));
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }

  async createUser(input: { email: string; displayName?: string; role: Role }): Promise<CreatedUser> {
    const existing = await this.prisma.user.findUnique({ where: { email: input.email } });
    if (existing) throw DomainError.conflict(`a user with email ${input.email} already exists`);
    return this.prisma.user.create({
      data: { email: input.email, displayName: input.displayName ?? input.email.split('@')[0], role: input.role },
      select: { id: true, email: true, displayName: true, role: true },
    });
  }

  /** Issues a new token for a user; the clear token is returned once and never stored. */
  async issueToken(userId: string, name = 'api'): Promise<{ id: string; token: string; userId: string }> {
    const user = await this.prisma.user.findUnique({ where: { id: userId }, select: { id: true } });
    if (!user) throw DomainError.notFound('user');
    const token = generateToken();
    const row = await this.prisma.apiToken.create({ data: { userId, name, tokenHash: hashToken(token) } });
    return { id: row.id, token, userId };
  }

  /**
   * Makes `token` an admin token (first start of a deployment). Idempotent: running it at every
   * start, or from several api processes at once, leaves one admin and one token row.
   */
  async ensureBootstrapAdmin(token: string): Promise<void> {
    const email = 'admin@dockgrader.local';
    const user = await retryOnUniqueRace(() =>
      this.prisma.user.upsert({
        where: { email },
        create: { email, displayName: 'Administrator', role: Role.admin },
        update: {},
        select: { id: true },
      }),
    );
    await retryOnUniqueRace(() =>
      this.prisma.apiToken.upsert({
        where: { tokenHash: hashToken(token) },
        create: { userId: user.id, name: 'bootstrap (DOCKGRADER_ADMIN_TOKEN)', tokenHash: hashToken(token) },
        update: {},
      }),
    );
  }
}
