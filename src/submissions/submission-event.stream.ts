import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PrismaService } from '../database/prisma.service';
import { SubmissionStatus } from '../generated/prisma/enums';
import { DomainError } from '../common/domain-error';
import { openEventStream } from '../common/event-stream';
import { GradingProducer } from '../queue/grading.producer';
import { gradingJobId } from '../queue/grading-queue.constants';
import {
  failureMessage,
  isTerminal,
  SubmissionEvent,
  SubmissionEventsPublisher,
  SubmissionEventsSubscriber,
} from './submission-events';

/** Server-sent events of one submission: its current state on connect, then live progress until graded or error. */
@Injectable()
export class SubmissionEventStream {
  constructor(
    private readonly prisma: PrismaService,
    private readonly producer: GradingProducer,
    private readonly subscriber: SubmissionEventsSubscriber,
    private readonly progress: SubmissionEventsPublisher,
  ) {}

  async open(submissionId: string, req: Request, res: Response): Promise<void> {
    const buffered: SubmissionEvent[] = [];
    const forward: { to?: (e: SubmissionEvent) => void } = {};
    // Subscribe before reading the state, so nothing published in between is missed.
    const stop = await this.subscriber.listen(submissionId, (e) => (forward.to ? forward.to(e) : buffered.push(e)));
    let snapshot: SubmissionEvent;
    try {
      snapshot = await this.currentState(submissionId);
    } catch (err) {
      stop();
      throw err;
    }

    const stream = openEventStream(req, res, stop);
    let attempt = snapshot.attempt;
    const send = (event: SubmissionEvent): void => {
      if (stream.closed || event.attempt < attempt) return; // an older grading attempt's late message
      attempt = event.attempt;
      stream.send(event.type, event);
      if (isTerminal(event)) stream.close();
    };
    stream.send(snapshot.type, snapshot);
    if (isTerminal(snapshot)) {
      stream.close();
      return;
    }
    // Events that arrived while the state was read may be older than it: never step backwards.
    for (const e of buffered) if (e.attempt > snapshot.attempt || rank(e) > rank(snapshot)) send(e);
    forward.to = send;
  }

  private async currentState(submissionId: string): Promise<SubmissionEvent> {
    const s = await this.prisma.submission.findUnique({
      where: { id: submissionId },
      select: {
        id: true,
        status: true,
        attempt: true,
        results: { orderBy: { attempt: 'desc' }, take: 1, select: { score: true, maxScore: true } },
      },
    });
    if (!s) throw DomainError.notFound('submission');
    const base = { submissionId: s.id, attempt: s.attempt };
    switch (s.status) {
      case SubmissionStatus.queued: {
        const position = await this.producer.position(gradingJobId(s.id, s.attempt)).catch(() => undefined);
        return { type: 'queued', ...base, position: position ?? null };
      }
      case SubmissionStatus.running: {
        const last = await this.progress.lastProgress(s.id).catch(() => undefined);
        if (last?.type === 'running' && last.attempt === s.attempt) return last;
        return { type: 'running', ...base, index: 0, total: 0, command: '' };
      }
      case SubmissionStatus.graded: {
        const r = s.results[0];
        return { type: 'graded', ...base, score: r?.score ?? 0, maxScore: r?.maxScore ?? 0 };
      }
      case SubmissionStatus.error:
      case SubmissionStatus.internal_error:
        // The stored cause is for the team (English, a stack); the stream says it in French, as the API does.
        return { type: 'error', ...base, message: failureMessage(s.status) };
      default: {
        const unknown: never = s.status;
        throw new Error(`unknown status ${String(unknown)}`);
      }
    }
  }
}

/** Order of events within one attempt: queued < running (by command index) < graded | error. */
export function rank(e: SubmissionEvent): number {
  switch (e.type) {
    case 'queued':
      return 0;
    case 'running':
      return 1 + e.index / (e.total + 1);
    case 'graded':
    case 'error':
      return 3;
  }
}
