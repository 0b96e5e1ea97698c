import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Roles } from '../auth/principal';
import { DomainError } from '../common/domain-error';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { Role } from '../generated/prisma/enums';
import { DeliveryLogService } from './delivery-log.service';
import {
  createIntegrationSchema,
  CreateIntegrationInput,
  deliveryListSchema,
  DeliveryListQuery,
  rotateSchema,
  updateIntegrationSchema,
  UpdateIntegrationInput,
} from './integration.schemas';
import { IntegrationSecrets, IntegrationsService, IntegrationView } from './integrations.service';

const uuid = (what: string) => new ParseUUIDPipe({ exceptionFactory: () => DomainError.notFound(what) });

/** Admin management of LMS integrations and their delivery log (JSON API). */
@ApiTags('lms')
@ApiBearerAuth()
@Roles(Role.admin)
@Controller('api/admin')
export class IntegrationsController {
  constructor(
    private readonly integrations: IntegrationsService,
    private readonly log: DeliveryLogService,
  ) {}

  @Post('integrations')
  @ApiOperation({ summary: 'Create an integration; its secrets are shown this once' })
  @ApiBody({ schema: z.toJSONSchema(createIntegrationSchema, { io: 'input' }) as object })
  create(
    @Body(new ZodValidationPipe(createIntegrationSchema)) body: CreateIntegrationInput,
  ): Promise<IntegrationSecrets> {
    return this.integrations.create(body);
  }

  @Get('integrations')
  @ApiOperation({ summary: 'List integrations (no secrets); a 410-disabled webhook shows webhookDisabledAt and why' })
  list(): Promise<IntegrationView[]> {
    return this.integrations.list();
  }

  @Get('integrations/:id')
  get(@Param('id', uuid('integration')) id: string): Promise<IntegrationView> {
    return this.integrations.get(id);
  }

  @Patch('integrations/:id')
  @ApiOperation({ summary: 'Enable/disable, change the webhook URL or courses; webhookEnabled: true clears a 410' })
  @ApiBody({ schema: z.toJSONSchema(updateIntegrationSchema, { io: 'input' }) as object })
  update(
    @Param('id', uuid('integration')) id: string,
    @Body(new ZodValidationPipe(updateIntegrationSchema)) body: UpdateIntegrationInput,
  ): Promise<IntegrationView> {
    return this.integrations.update(id, body);
  }

  @Post('integrations/:id/rotate')
  @HttpCode(200)
  @ApiOperation({ summary: 'New secrets (inbound, webhook or both); the old ones stay valid 24 h' })
  @ApiBody({ schema: z.toJSONSchema(rotateSchema, { io: 'input' }) as object, required: false })
  rotate(
    @Param('id', uuid('integration')) id: string,
    @Body(new ZodValidationPipe(rotateSchema)) body: z.infer<typeof rotateSchema>,
  ): Promise<IntegrationSecrets> {
    return this.integrations.rotate(id, body.which);
  }

  @Get('integrations/:id/deliveries')
  @ApiOperation({ summary: 'Delivery log: each delivery with its attempts, newest first; ?status=failed' })
  deliveries(
    @Param('id', uuid('integration')) id: string,
    @Query(new ZodValidationPipe(deliveryListSchema, 'query')) query: DeliveryListQuery,
  ) {
    return this.log.list({ integrationId: id }, query);
  }

  @Post('webhook-deliveries/:id/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a delivered or failed delivery again (same webhook-id)' })
  redeliver(@Param('id', uuid('delivery')) id: string) {
    return this.log.redeliver(id);
  }
}
