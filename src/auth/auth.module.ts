import { Module } from '@nestjs/common';
import { HotPathSqlModule } from '../common/sql-pool';
import { APP_GUARD } from '@nestjs/core';
import { AdminBootstrapService } from './admin-bootstrap.service';
import { AdminController } from './admin.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';

/** Bearer-token authentication for every /api route, roles, and admin user management. */
@Module({
  imports: [HotPathSqlModule],
  controllers: [AdminController],
  providers: [AuthService, AdminBootstrapService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService],
})
export class AuthModule {}
