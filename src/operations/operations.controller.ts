import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/principal';
import { Role } from '../generated/prisma/enums';
import { OperationsReport, OperationsService } from './operations.service';

/** The operations view for admins: workers, queue, sandboxes, image set, recent infrastructure errors. */
@ApiTags('admin')
@ApiBearerAuth()
@Controller('api/admin/operations')
export class OperationsController {
  constructor(private readonly operations: OperationsService) {}

  @Get()
  @Roles(Role.admin)
  @ApiOperation({
    summary: 'Workers (host, pid, engine, jobs, last heartbeat), queue depth, sandbox pool, image set, recent errors',
  })
  get(): Promise<OperationsReport> {
    return this.operations.report();
  }
}
