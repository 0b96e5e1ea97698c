/** The queue of outbound webhook deliveries, apart from grading: a slow receiver never holds a sandbox. */
export const WEBHOOK_QUEUE = 'webhooks';

/** Every job name on the webhook queue; the processor has exactly one handler per name. */
export enum WebhookJobName {
  Deliver = 'deliver',
}

/** The delivery row (PostgreSQL holds the body and state) and which attempt this job is. */
export interface WebhookJobData {
  deliveryId: string;
  attempt: number;
}

/**
 * One job id per (delivery, attempt): the grading run, the sweeper and a redeliver adding the
 * same attempt twice is a no-op. BullMQ forbids ':' in custom ids.
 */
export function webhookJobId(deliveryId: string, attempt: number): string {
  return `deliver-${deliveryId}-${attempt}`;
}
