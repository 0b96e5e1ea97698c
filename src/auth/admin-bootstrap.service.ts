import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ENV } from '../config/config.module';
import type { Env } from '../config/env';
import { AuthService } from './auth.service';

/** Stores the first admin's token (DOCKGRADER_ADMIN_TOKEN) at api start, hashed and idempotently. */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  constructor(
    private readonly auth: AuthService,
    @Inject(ENV) private readonly env: Env,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.env.DOCKGRADER_ADMIN_TOKEN) await this.auth.ensureBootstrapAdmin(this.env.DOCKGRADER_ADMIN_TOKEN);
  }
}
