import { Global, Module } from '@nestjs/common';
import { Env, loadEnv } from './env';

/** Injection token for the validated environment. */
export const ENV = Symbol('ENV');

/** Provides the validated environment to every module; validation already ran in the entrypoint. */
@Global()
@Module({
  providers: [{ provide: ENV, useFactory: (): Env => loadEnv() }],
  exports: [ENV],
})
export class ConfigModule {}
