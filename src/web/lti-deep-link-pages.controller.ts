import { Body, Controller, Get, Param, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError, ErrorCode } from '../common/domain-error';
import { LtiDeepLinkingService } from '../lti/lti-deep-linking.service';
import { CsrfGuard } from './csrf.guard';
import { PageAuthGuard, type PageRequest } from './page-auth.guard';
import { sendPage, session } from './page-response';
import { deepLinkPickerPage, deepLinkReturnPage } from './views/lti-deep-link-page';

/**
 * This page's one form posts to the platform: the policy (helmet's, `form-action 'self'`) lets it
 * reach that origin too, on this response only.
 */
function allowFormTo(res: Response, url: string): void {
  const policy = res.getHeader('Content-Security-Policy');
  if (typeof policy !== 'string') return;
  res.setHeader(
    'Content-Security-Policy',
    policy.replace("form-action 'self'", `form-action 'self' ${new URL(url).origin}`),
  );
}

/**
 * The LTI deep linking picker: the launch of a deep linking request leads its instructor here
 * (signed in by the launch); the choice is signed and posted back to the platform.
 */
@ApiExcludeController()
@Controller('lti/deep-links')
@UseGuards(PageAuthGuard)
export class LtiDeepLinkPagesController {
  constructor(private readonly deepLinking: LtiDeepLinkingService) {}

  @Get(':id')
  async picker(@Req() req: PageRequest, @Res() res: Response, @Param('id') id: string): Promise<void> {
    const { principal, user } = session(req);
    const request = await this.deepLinking.pending(id, principal.id);
    sendPage(res, deepLinkPickerPage(user, request, await this.deepLinking.linkable()));
  }

  @Post(':id')
  @UseGuards(CsrfGuard)
  async choose(
    @Req() req: PageRequest,
    @Res() res: Response,
    @Param('id') id: string,
    @Body() body: unknown,
  ): Promise<void> {
    const { principal, user } = session(req);
    // One radio button sends a string; several checked boxes repeat the field, which parses to an array.
    const field = (body as Record<string, unknown> | undefined)?.exercise;
    const slugs = (Array.isArray(field) ? field : [field]).filter(
      (s): s is string => typeof s === 'string' && s !== '',
    );
    try {
      const answer = await this.deepLinking.answer(id, principal.id, slugs);
      allowFormTo(res, answer.returnUrl);
      sendPage(res, deepLinkReturnPage(user, answer));
    } catch (err) {
      if (!(err instanceof DomainError && err.code === ErrorCode.Validation)) throw err;
      const request = await this.deepLinking.pending(id, principal.id);
      const message = err.details.fields?.[0]?.message ?? 'choisissez un exercice de la liste';
      sendPage(
        res,
        deepLinkPickerPage(user, request, await this.deepLinking.linkable(), {
          error: `${message[0].toUpperCase()}${message.slice(1)}.`,
          chosen: slugs,
        }),
        400,
      );
    }
  }
}
