import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Redis, RedisOptions } from 'ioredis';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';

/** The one adapter to Redis: connection options shared with BullMQ, and a client for direct use. */
@Injectable()
export class RedisService implements OnModuleDestroy {
  readonly client: Redis;
  readonly prefix: string;

  constructor(@Inject(ENV) private readonly env: Env) {
    this.prefix = env.REDIS_PREFIX;
    this.client = new Redis(env.REDIS_URL, { ...this.baseOptions(), lazyConnect: true });
  }

  /** Options for extra connections (BullMQ needs its own blocking connections). */
  connectionOptions(): RedisOptions {
    const url = new URL(this.env.REDIS_URL);
    return {
      ...this.baseOptions(),
      host: url.hostname,
      port: Number(url.port || 6379),
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
      tls: url.protocol === 'rediss:' ? {} : undefined,
    };
  }

  private baseOptions(): RedisOptions {
    // BullMQ requires maxRetriesPerRequest: null on its blocking connections; RESP2 keeps
    // replies in the shape BullMQ's scripts expect.
    return { maxRetriesPerRequest: null, protocol: 2, enableOfflineQueue: true };
  }

  async ping(): Promise<void> {
    if (this.client.status === 'wait') await this.client.connect();
    const reply = await this.client.ping();
    if (reply !== 'PONG') throw new Error(`unexpected PING reply: ${reply}`);
  }

  async onModuleDestroy(): Promise<void> {
    this.client.disconnect();
  }
}
