import { Controller, Delete, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { DomainError } from '../common/domain-error';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { AuthService, TokenView } from './auth.service';
import { CurrentUser, Principal } from './principal';

const listTokensSchema = z.strictObject({ user: z.uuid().optional() });

/** Each user's own API tokens: list and revoke; an admin lists and revokes anyone's. */
@ApiTags('tokens')
@ApiBearerAuth()
@Controller('api/tokens')
export class TokensController {
  constructor(private readonly auth: AuthService) {}

  @Get()
  @ApiOperation({ summary: "Your tokens (never the secret), newest first; admins: `?user=<id>` for another user's" })
  @ApiQuery({ name: 'user', required: false })
  list(
    @CurrentUser() principal: Principal,
    @Query(new ZodValidationPipe(listTokensSchema, 'query')) query: z.infer<typeof listTokensSchema>,
  ): Promise<TokenView[]> {
    return this.auth.listTokens(principal, query.user);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke a token (yours; admins: anyone’s); refused at once by every api process' })
  revoke(
    @CurrentUser() principal: Principal,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => DomainError.notFound('token') })) id: string,
  ): Promise<TokenView> {
    return this.auth.revokeToken(principal, id);
  }
}
