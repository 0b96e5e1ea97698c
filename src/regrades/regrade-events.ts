import { Injectable, Logger } from '@nestjs/common';
import { RedisService } from '../redis/redis.service';

/** Progress of a regrade run, as its event stream and page show it. */
export interface RegradeProgressEvent {
  runId: string;
  status: 'running' | 'finished';
  total: number;
  done: number;
  changed: number;
}

/** Channel of one run's progress, under the deployment's Redis prefix (beside the submissions' ones). */
export function regradeChannel(prefix: string, runId: string): string {
  return `${prefix}:events:regrade:${runId}`;
}

/** Publishes a run's progress from the workers (best effort: the row in PostgreSQL is the truth). */
@Injectable()
export class RegradeEventsPublisher {
  private readonly logger = new Logger(RegradeEventsPublisher.name);

  constructor(private readonly redis: RedisService) {}

  async publish(event: RegradeProgressEvent): Promise<void> {
    try {
      await this.redis.client.publish(regradeChannel(this.redis.prefix, event.runId), JSON.stringify(event));
    } catch (err) {
      this.logger.warn(`regrade progress not published: ${(err as Error).message}`);
    }
  }
}
