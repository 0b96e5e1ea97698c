import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { RedisService } from '../redis/redis.service';

/**
 * Counts failed logins per account and per client address in Redis (shared by every api
 * process). LOGIN_MAX_FAILURES failures lock the account for LOGIN_LOCK_MINUTES from the last
 * one; an address gets a higher limit, since a classroom shares one. Unknown emails are counted
 * like known ones, so a lock says nothing about whether an account exists.
 */
@Injectable()
export class LoginThrottle {
  constructor(
    private readonly redis: RedisService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  private keys(email: string, ip: string): { account: string; address: string } {
    const digest = createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);
    return {
      account: `${this.redis.prefix}:login:fail:account:${digest}`,
      address: `${this.redis.prefix}:login:fail:ip:${ip}`,
    };
  }

  /** Milliseconds until the account or the address may try again; 0 when neither is locked. */
  async lockedFor(email: string, ip: string): Promise<number> {
    const { account, address } = this.keys(email, ip);
    const r = this.redis.client;
    const [a, aTtl, i, iTtl] = await Promise.all([r.get(account), r.pttl(account), r.get(address), r.pttl(address)]);
    let ms = 0;
    if (Number(a) >= this.env.LOGIN_MAX_FAILURES) ms = Math.max(ms, aTtl);
    if (Number(i) >= this.env.LOGIN_MAX_FAILURES_PER_IP) ms = Math.max(ms, iTtl);
    return ms;
  }

  /** Records a failure; each one pushes the lock's end back to LOGIN_LOCK_MINUTES from now. */
  async fail(email: string, ip: string): Promise<void> {
    const { account, address } = this.keys(email, ip);
    const lockMs = this.env.LOGIN_LOCK_MINUTES * 60_000;
    await this.redis.client
      .multi()
      .incr(account)
      .pexpire(account, lockMs)
      .incr(address)
      .pexpire(address, lockMs)
      .exec();
  }

  /** A successful login clears the account's count (not the address's: another account may be attacked from it). */
  async succeed(email: string, ip: string): Promise<void> {
    await this.redis.client.del(this.keys(email, ip).account);
  }
}

/** "Réessayez dans 15 minutes (à 10 h 32)." in the course's time zone. */
export function retryMessage(ms: number, now = new Date()): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  const at = new Intl.DateTimeFormat('fr-FR', { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Paris' })
    .format(new Date(now.getTime() + ms))
    .replace(':', ' h ');
  return `Trop de tentatives de connexion. Réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''} (à ${at}).`;
}
