import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { openEventStream } from '../common/event-stream';
import { RedisService } from '../redis/redis.service';
import { SubmissionEventsSubscriber } from '../submissions/submission-events';
import { regradeChannel, type RegradeProgressEvent } from './regrade-events';
import { RegradeRunsService } from './regrade-runs.service';

/**
 * Server-sent events of one regrade run: `progress` {done, total, changed} now and at each item
 * done, until `finished`. Same mechanism as a submission's stream (one Redis subscriber per process,
 * subscribe before reading the row so nothing in between is missed, never a step backwards).
 */
@Injectable()
export class RegradeEventStream {
  constructor(
    private readonly runs: RegradeRunsService,
    private readonly subscriber: SubmissionEventsSubscriber,
    private readonly redis: RedisService,
  ) {}

  async open(runId: string, req: Request, res: Response): Promise<void> {
    const buffered: RegradeProgressEvent[] = [];
    const forward: { to?: (e: RegradeProgressEvent) => void } = {};
    const stop = await this.subscriber.listenChannel(regradeChannel(this.redis.prefix, runId), (message) => {
      let event: RegradeProgressEvent;
      try {
        event = JSON.parse(message) as RegradeProgressEvent;
      } catch {
        return;
      }
      if (forward.to) forward.to(event);
      else buffered.push(event);
    });
    let snapshot: RegradeProgressEvent;
    try {
      const run = await this.runs.summary(runId);
      snapshot = { runId, status: run.status, total: run.total, done: run.done, changed: run.changed };
    } catch (err) {
      stop();
      throw err;
    }
    const stream = openEventStream(req, res, stop);
    let done = -1;
    const send = (e: RegradeProgressEvent): void => {
      // Workers publish after their own commit: a message may arrive after a later one.
      if (stream.closed || (e.done <= done && e.status !== 'finished')) return;
      done = Math.max(done, e.done);
      stream.send(e.status === 'finished' ? 'finished' : 'progress', e);
      if (e.status === 'finished') stream.close();
    };
    send(snapshot);
    for (const e of buffered) send(e);
    forward.to = send;
  }
}
