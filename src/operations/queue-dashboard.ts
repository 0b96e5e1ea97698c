import { Logger } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { adminOnly, AuthGuard } from '../auth/auth.guard';
import { send } from '../common/http-exception.filter';
import { GradingProducer } from '../queue/grading.producer';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * bull-board at /admin/queues, for admins only: it is an Express router outside Nest's routing,
 * so the auth guard's own check runs in front of it as middleware (401/403 as on /api).
 */
export function mountQueueDashboard(app: NestExpressApplication): void {
  const board = new ExpressAdapter();
  board.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({ queues: [new BullMQAdapter(app.get(GradingProducer).queue)], serverAdapter: board });
  const logger = new Logger('QueueDashboard');
  app.use(
    QUEUE_DASHBOARD_PATH,
    adminOnly(app.get(AuthGuard), (res, error) => send(res, error, logger)),
    board.getRouter(),
  );
}
