import { Injectable, Logger, Optional } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service';
import { retryOnUniqueRace } from '../database/unique-race';
import { Role } from '../generated/prisma/enums';
import { DomainError } from '../common/domain-error';
import { HotPathSql } from '../database/hot-path-sql';
import { INTAKE_SQL } from '../database/intake.statements';
import { Batcher } from '../common/batcher';
import type { Principal } from './principal';
import { generateToken, hashToken } from './token';
import { TokenRevocations } from './token-revocations';

/**
 * How long a verified token is trusted without asking PostgreSQL again. A revocation ends that
 * trust at once in every api process (TokenRevocations); this is the bound only when Redis is down.
 */
const CACHE_TTL_MS = 5_000;
const CACHE_MAX = 10_000;
/** Tokens looked up by one statement, at most. */
const MAX_LOOKUP_BATCH = 200;
/**
 * A token's `lastUsedAt` is written again only when the stored one is older than this: owners read
 * it to spot a forgotten or stolen token ("used 3 days ago"), which a minute's precision serves, and
 * a student submitting every few seconds at a deadline costs one write a minute, not one a request.
 */
const LAST_USED_RESOLUTION_MS = 60_000;

type TokenRow = { revokedAt: Date | null; lastUsedAt: Date | null; id: string; role: Role; email: string };

interface PendingLookup {
  hash: string;
  resolve: (row: TokenRow | undefined) => void;
  reject: (error: unknown) => void;
}

/** A token as its owner (or an admin) sees it: never the token itself. */
export interface TokenView {
  id: string;
  userId: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const tokenViewSelect = {
  id: true,
  userId: true,
  name: true,
  createdAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const;

export interface CreatedUser {
  id: string;
  email: string;
  displayName: string;
  role: Role;
}

/** Users and their bearer tokens: creation, verification, and the bootstrap admin. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  // Intake at deadline peaks is ~1000 requests/s: a short cache keeps a query off a student's next requests.
  private readonly cache = new Map<string, { principal: Principal; expires: number; generation: string | undefined }>();

  constructor(
    private readonly prisma: PrismaService,
    // Absent outside the api process (the admin CLI): Prisma then.
    @Optional() private readonly sql?: HotPathSql,
    // Absent outside the api process: no cache to keep honest across processes there.
    @Optional() private readonly revocations?: TokenRevocations,
  ) {}

  /** The principal owning `token`, or undefined for an unknown or revoked token. */
  async authenticate(token: string): Promise<Principal | undefined> {
    const hash = hashToken(token);
    const generation = await this.revocations?.generation();
    const cached = this.cache.get(hash);
    const now = Date.now();
    // A revocation anywhere since this entry was cached makes it stale (undefined: Redis down, TTL only).
    if (cached && cached.expires > now && (generation === undefined || cached.generation === generation))
      return cached.principal;
    const row = await this.lookup(hash);
    if (!row || row.revokedAt) {
      this.cache.delete(hash);
      return undefined;
    }
    if (!row.lastUsedAt || now - row.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) this.uses.add(hash);
    const principal: Principal = { id: row.id, role: row.role, email: row.email };
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(hash, { principal, expires: now + CACHE_TTL_MS, generation });
    return principal;
  }

  /** The caller's tokens (an admin may name another user), newest first. */
  listTokens(principal: Principal, userId?: string): Promise<TokenView[]> {
    if (userId && userId !== principal.id && principal.role !== Role.admin)
      throw DomainError.forbidden("only an admin can list another user's tokens");
    return this.prisma.apiToken.findMany({
      where: { userId: userId ?? principal.id },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      select: tokenViewSelect,
    });
  }

  /**
   * Revokes a token: its owner, or an admin for anyone's. Refused at once by every api process
   * (the cache's revocation counter moves). Revoking a revoked token changes nothing.
   */
  async revokeToken(principal: Principal, id: string): Promise<TokenView> {
    const row = await this.prisma.apiToken.findUnique({ where: { id }, select: { userId: true, tokenHash: true } });
    // Someone else's token is not found for a non-admin: its existence is not theirs to learn.
    if (!row || (row.userId !== principal.id && principal.role !== Role.admin)) throw DomainError.notFound('token');
    await this.prisma.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
    this.cache.delete(row.tokenHash);
    await this.revocations?.bump();
    return this.prisma.apiToken.findUniqueOrThrow({ where: { id }, select: tokenViewSelect });
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
        select: { revokedAt: true, lastUsedAt: true, user: { select: { id: true, role: true, email: true } } },
      })
      .then((row) => (row ? { revokedAt: row.revokedAt, lastUsedAt: row.lastUsedAt, ...row.user } : undefined));
  }

  /**
   * Tokens seen in use, written after the request went on (one statement for those of many requests
   * together): a failed write costs a stale "last used", never a request.
   */
  private readonly uses = new Batcher<string>((hashes) => this.recordUses(hashes), MAX_LOOKUP_BATCH);

  private async recordUses(hashes: string[]): Promise<void> {
    try {
      await this.prisma.apiToken.updateMany({
        where: { tokenHash: { in: [...new Set(hashes)] } },
        data: { lastUsedAt: new Date() },
      });
    } catch (err) {
      this.logger.warn(`last use of ${hashes.length} tokens not recorded: ${(err as Error).message}`);
    }
  }

  private async lookupMany(batch: PendingLookup[]): Promise<void> {
    try {
      // Plain SQL on the hot-path pool (Prisma's CPU cost: src/database/hot-path-sql.ts).
      const { rows } = await this.sql!.pool.query<TokenRow & { hash: string }>(INTAKE_SQL.tokensByHash, [
        [...new Set(batch.map((p) => p.hash))],
      ]);
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
