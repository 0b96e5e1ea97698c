import { Controller, Get, Param, Post, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { AuthService } from '../auth/auth.service';
import { DomainError } from '../common/domain-error';
import { CsrfGuard } from './csrf.guard';
import { PageAuthGuard, type PageRequest } from './page-auth.guard';
import { renderDocument } from './views/html';
import { tokensPage } from './views/tokens-page';

const uuid = z.uuid();

/** "Mes jetons": a user's API tokens, revocable from the browser (same rules as /api/tokens). */
@ApiExcludeController()
@UseGuards(PageAuthGuard, CsrfGuard)
@Controller('tokens')
export class TokenPagesController {
  constructor(private readonly auth: AuthService) {}

  @Get()
  async list(@Req() req: PageRequest, @Res() res: Response, @Query('revoked') revoked?: string): Promise<void> {
    const ctx = req.webSession!;
    const tokens = await this.auth.listTokens(ctx.principal);
    res
      .status(200)
      .type('html')
      .setHeader('Cache-Control', 'no-store')
      .send(
        renderDocument(
          tokensPage({
            user: { email: ctx.principal.email, csrfToken: ctx.csrfToken },
            tokens,
            notice: revoked !== undefined ? 'Le jeton est révoqué : il est refusé dès maintenant.' : undefined,
          }),
        ),
      );
  }

  @Post(':id/revoke')
  async revoke(@Param('id') id: string, @Req() req: PageRequest, @Res() res: Response): Promise<void> {
    if (!uuid.safeParse(id).success) throw DomainError.notFound('token');
    await this.auth.revokeToken(req.webSession!.principal, id.toLowerCase());
    res.redirect(303, '/tokens?revoked');
  }
}
