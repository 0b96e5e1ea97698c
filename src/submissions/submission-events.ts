import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RedisService } from '../redis/redis.service';
import { SubmissionStatus } from '../generated/prisma/enums';

/** What a student reads when grading failed because of us (the cause is kept for the team). */
export const INTERNAL_ERROR_MESSAGE =
  "Une erreur de notre côté empêche de noter cette soumission (votre travail n'est pas en cause) : l'équipe est prévenue et la notera à nouveau une fois corrigée.";

/** What a student reads when the grading infrastructure failed after its retries (the cause is kept for the team). */
export const INFRASTRUCTURE_ERROR_MESSAGE =
  "La notation n'a pas pu avoir lieu pour une raison technique (bac à sable indisponible), malgré plusieurs essais ; votre travail n'est pas en cause : soumettez à nouveau ou prévenez votre enseignant.";

/**
 * What anyone reads of a submission's failure, in French, by its status (null when it did not
 * fail): the API and the event stream both say it. The stored cause (English, technical, a stack)
 * stays in the database and the logs for the team.
 */
export function failureMessage(status: typeof SubmissionStatus.error | typeof SubmissionStatus.internal_error): string;
export function failureMessage(status: SubmissionStatus): string | null;
export function failureMessage(status: SubmissionStatus): string | null {
  if (status === SubmissionStatus.error) return INFRASTRUCTURE_ERROR_MESSAGE;
  if (status === SubmissionStatus.internal_error) return INTERNAL_ERROR_MESSAGE;
  return null;
}

/** What a live progress stream carries, in order: queued → running (per command) → graded | error. */
export type SubmissionEvent =
  | { type: 'queued'; submissionId: string; attempt: number; position: number | null }
  | { type: 'running'; submissionId: string; attempt: number; index: number; total: number; command: string }
  | { type: 'graded'; submissionId: string; attempt: number; score: number; maxScore: number }
  | { type: 'error'; submissionId: string; attempt: number; message: string };

export function isTerminal(event: SubmissionEvent): boolean {
  return event.type === 'graded' || event.type === 'error';
}

/** Keys and channels live under the deployment's Redis prefix. */
export function eventChannel(prefix: string, submissionId: string): string {
  return `${prefix}:events:submission:${submissionId}`;
}

export function progressKey(prefix: string, submissionId: string): string {
  return `${prefix}:progress:submission:${submissionId}`;
}

const PROGRESS_TTL_SECONDS = 3600;

/** Publishes progress from the worker; the last `running` event is kept so a late subscriber sees it. */
@Injectable()
export class SubmissionEventsPublisher {
  private readonly logger = new Logger(SubmissionEventsPublisher.name);

  constructor(private readonly redis: RedisService) {}

  async publish(event: SubmissionEvent): Promise<void> {
    const payload = JSON.stringify(event);
    try {
      const multi = this.redis.client.multi();
      if (event.type === 'running')
        multi.set(progressKey(this.redis.prefix, event.submissionId), payload, 'EX', PROGRESS_TTL_SECONDS);
      else multi.del(progressKey(this.redis.prefix, event.submissionId));
      multi.publish(eventChannel(this.redis.prefix, event.submissionId), payload);
      await multi.exec();
    } catch (err) {
      // Progress is best effort; the stored status is what counts.
      this.logger.warn(`progress event not published: ${(err as Error).message}`);
    }
  }

  async lastProgress(submissionId: string): Promise<SubmissionEvent | undefined> {
    const raw = await this.redis.client.get(progressKey(this.redis.prefix, submissionId));
    return raw ? (JSON.parse(raw) as SubmissionEvent) : undefined;
  }
}

type Listener = (event: SubmissionEvent) => void;
type RawListener = (message: string) => void;

/**
 * One Redis subscriber connection per api process, fanned out to every open event stream; a
 * channel is subscribed while at least one stream listens to it. Submissions' streams use it, and
 * so do regrade runs' (listenChannel).
 */
@Injectable()
export class SubmissionEventsSubscriber implements OnModuleDestroy {
  private readonly logger = new Logger(SubmissionEventsSubscriber.name);
  private connection?: Redis;
  private readonly listeners = new Map<string, { set: Set<RawListener>; ready: Promise<unknown> }>();

  constructor(private readonly redis: RedisService) {}

  private client(): Redis {
    if (!this.connection) {
      this.connection = new Redis(this.redis.connectionOptions());
      this.connection.on('error', (err) => this.logger.warn(`event subscriber: ${err.message}`));
      this.connection.on('message', (channel: string, message: string) => {
        const set = this.listeners.get(channel)?.set;
        if (!set) return;
        for (const listener of set) listener(message);
      });
    }
    return this.connection;
  }

  /** Starts delivering events of one submission to `listener`; resolves once subscribed. */
  listen(submissionId: string, listener: Listener): Promise<() => void> {
    return this.listenChannel(eventChannel(this.redis.prefix, submissionId), (message) => {
      let event: SubmissionEvent;
      try {
        event = JSON.parse(message) as SubmissionEvent;
      } catch {
        return;
      }
      listener(event);
    });
  }

  /** Starts delivering the raw messages of one channel (under this deployment's prefix) to `listener`. */
  async listenChannel(channel: string, listener: RawListener): Promise<() => void> {
    let entry = this.listeners.get(channel);
    if (!entry) {
      entry = { set: new Set(), ready: this.client().subscribe(channel) };
      this.listeners.set(channel, entry);
    }
    entry.set.add(listener);
    await entry.ready;
    return () => {
      const current = this.listeners.get(channel);
      if (!current) return;
      current.set.delete(listener);
      if (current.set.size === 0) {
        this.listeners.delete(channel);
        void this.client()
          .unsubscribe(channel)
          .catch(() => undefined);
      }
    };
  }

  onModuleDestroy(): void {
    this.connection?.disconnect();
  }
}
