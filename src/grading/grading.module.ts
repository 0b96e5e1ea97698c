import { Module } from '@nestjs/common';
import { SandboxModule } from '../sandbox/sandbox.module';
import { GradingService } from './grading.service';

/** The grading engine (worker role): replay, probes and checks over the sandbox engine. */
@Module({
  imports: [SandboxModule],
  providers: [GradingService],
  exports: [GradingService],
})
export class GradingModule {}
