import { Module } from '@nestjs/common';
import { HotPathSqlModule } from '../database/hot-path-sql';
import { APP_GUARD } from '@nestjs/core';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AdminController, InvitationsController } from './admin.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { InvitationService } from './invitation.service';
import { LoginThrottle } from './login-throttle';
import { LoginService } from './login.service';
import { SessionService } from './session.service';
import { TokenRevocations } from './token-revocations';
import { TokensController } from './tokens.controller';

/** Who is calling: bearer tokens (API), browser sessions and passwords (pages), invitations, roles. */
@Module({
  imports: [HotPathSqlModule],
  controllers: [AdminController, InvitationsController, TokensController],
  providers: [
    AuthService,
    TokenRevocations,
    AdminBootstrapService,
    SessionService,
    LoginThrottle,
    LoginService,
    InvitationService,
    AuthGuard,
    { provide: APP_GUARD, useExisting: AuthGuard },
  ],
  exports: [AuthService, AuthGuard, SessionService, LoginService, InvitationService],
})
export class AuthModule {}
