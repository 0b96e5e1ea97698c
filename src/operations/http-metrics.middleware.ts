import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from '../metrics/metrics.service';

/** Why intake refused a submission, from its HTTP status (README, "The API"). */
const REFUSAL_REASONS: Record<number, string> = {
  400: 'invalid',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'unknown_exercise',
  413: 'too_large',
  429: 'rate_limited',
  503: 'queue_full',
};

export function refusalReason(status: number): string {
  return REFUSAL_REASONS[status] ?? (status >= 500 ? 'server_error' : 'other');
}

/**
 * Times every request by its route pattern (`/api/submissions/:id`, never the raw path: one series
 * per route, not per id) and counts intake outcomes. Express sets req.route when a route matched;
 * anything else is `unmatched`.
 */
export function httpMetrics(metrics: MetricsService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const end = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const routePath = (req.route as { path?: unknown } | undefined)?.path;
      const route = typeof routePath === 'string' ? `${req.baseUrl}${routePath}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
      if (req.method === 'POST' && route === '/api/submissions') {
        if (res.statusCode === 202 || res.statusCode === 200)
          metrics.submissions.inc({ outcome: 'accepted', reason: '' });
        else metrics.submissions.inc({ outcome: 'refused', reason: refusalReason(res.statusCode) });
      }
    });
    next();
  };
}
