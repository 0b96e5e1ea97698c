import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { Redis, RedisOptions } from 'ioredis';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';

/**
 * Commands issued in the same event-loop turn leave in one write and their replies come back in
 * one read. At intake peaks (hundreds of requests a second per process) the socket writes were a
 * third of the api's CPU; this merges them. Never on a blocking connection (BRPOP… would hold
 * back the commands queued behind it).
 */
const AUTO_PIPELINING = { enableAutoPipelining: true } as const;

/** The one adapter to Redis: connection options shared with BullMQ, and a client for direct use. */
@Injectable()
export class RedisService implements OnModuleDestroy {
  readonly client: Redis;
  readonly prefix: string;

  constructor(@Inject(ENV) private readonly env: Env) {
    this.prefix = env.REDIS_PREFIX;
    this.client = new Redis(env.REDIS_URL, { ...this.baseOptions(), ...AUTO_PIPELINING, lazyConnect: true });
  }

  /**
   * Options for extra connections (BullMQ needs its own blocking connections). `autoPipelining`:
   * for a connection that only sends non-blocking commands, such as a producer's.
   */
  connectionOptions(options: { autoPipelining?: boolean } = {}): RedisOptions {
    const url = new URL(this.env.REDIS_URL);
    return {
      ...this.baseOptions(),
      host: url.hostname,
      port: Number(url.port || 6379),
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
      tls: url.protocol === 'rediss:' ? {} : undefined,
      ...(options.autoPipelining ? AUTO_PIPELINING : {}),
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
