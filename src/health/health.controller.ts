import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { HealthReport, HealthService } from './health.service';
import { ReadinessService } from './readiness.service';

/**
 * Probes: /health/live (the process answers: restart it if not), /health/ready (it can do its
 * work: route traffic to it; 503 names what is down), and /health (the earlier report, kept for
 * compatibility).
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly terminus: HealthCheckService,
    private readonly readiness: ReadinessService,
  ) {}

  @Get()
  async get(@Res({ passthrough: true }) res: Response): Promise<HealthReport> {
    const report = await this.health.check();
    res.status(report.status === 'ok' ? 200 : 503);
    return report;
  }

  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.terminus.check([]);
  }

  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    try {
      return await this.terminus.check([
        () => this.readiness.postgres(),
        () => this.readiness.redisUp(),
        () => this.readiness.dockerEngine(),
        () => this.readiness.imageStoreSpace(),
        () => this.readiness.workerHeartbeat(),
      ]);
    } catch (error) {
      // Terminus reports a failed check as this exception; its body names what is down, which the
      // app's exception filter would replace by a generic message.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
