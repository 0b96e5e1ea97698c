import { Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK } from 'jose';
import { PrismaService } from '../database/prisma.service';

/** A retired key stays published this long: tokens it signed (5 min) and platforms' JWKS caches expire well before. */
const RETIRED_KEPT_MS = 24 * 3600 * 1000;

/** The key that signs now. */
export interface SigningKey {
  kid: string;
  key: CryptoKey;
}

/**
 * The tool's RS256 key pairs: generated on first need, rotated by an admin, published at
 * /.well-known/jwks.json. The newest unretired key signs client assertions; a rotated one stays
 * published for a day so a platform verifying an assertion signed just before finds it.
 */
@Injectable()
export class LtiToolKeysService {
  private cached?: { kid: string; key: CryptoKey };

  constructor(private readonly prisma: PrismaService) {}

  /** The current signing key, generated if there is none yet (two processes racing: one key wins per kid, both valid). */
  async signingKey(): Promise<SigningKey> {
    const row =
      (await this.prisma.ltiToolKey.findFirst({ where: { retiredAt: null }, orderBy: { createdAt: 'desc' } })) ??
      (await this.generate());
    if (this.cached?.kid !== row.kid) this.cached = { kid: row.kid, key: await importPKCS8(row.privatePem, 'RS256') };
    return this.cached;
  }

  /** Public keys to publish: current ones and those retired less than a day ago. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.signingKey(); // a JWKS is never empty
    const rows = await this.prisma.ltiToolKey.findMany({
      where: { OR: [{ retiredAt: null }, { retiredAt: { gt: new Date(Date.now() - RETIRED_KEPT_MS) } }] },
      orderBy: { createdAt: 'desc' },
    });
    return { keys: rows.map((r) => r.publicJwk as JWK) };
  }

  /** A new key signs from now on; the previous ones are retired (still published for a day). */
  async rotate(): Promise<{ kid: string }> {
    const now = new Date();
    const created = await this.generate();
    await this.prisma.ltiToolKey.updateMany({
      where: { retiredAt: null, kid: { not: created.kid } },
      data: { retiredAt: now },
    });
    return { kid: created.kid };
  }

  private async generate() {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
    const kid = `dg-${new Date().toISOString().slice(0, 10)}-${randomBytes(6).toString('hex')}`;
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    return this.prisma.ltiToolKey.create({
      data: { kid, publicJwk, privatePem: await exportPKCS8(privateKey) },
    });
  }
}
