import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { OperationsService } from './operations.service';

/**
 * Prometheus scrape target: this api process's metrics and every live worker's (published with
 * their heartbeat), each series labelled with its process. Public like /health: put it behind
 * the network's own access rules (docs/operations.md).
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly operations: OperationsService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  metrics(): Promise<string> {
    return this.operations.prometheusText();
  }
}
