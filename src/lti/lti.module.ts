import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { LtiController } from './lti.controller';
import { LtiCourseLinkService } from './lti-course-link.service';
import { LtiDeepLinkingService } from './lti-deep-linking.service';
import { LtiIdTokenVerifier } from './lti-id-token.verifier';
import { LtiLaunchService } from './lti-launch.service';
import { LtiLoginService } from './lti-login.service';
import { LtiPlatformsController } from './lti-platforms.controller';
import { LtiPlatformsService } from './lti-platforms.service';
import { LtiToolKeysService } from './lti-tool-keys.service';

/**
 * The api side of LTI 1.3: login initiation, launch (into a web session), deep linking (an
 * instructor picks the exercise of a new activity), the tool's JWKS, and platform registration by admins. Scores go back from the worker role (WebhookWorkerModule's
 * delivery service with AgsScoreSender), through the outbox.
 */
@Module({
  imports: [AuthModule],
  controllers: [LtiController, LtiPlatformsController],
  providers: [
    LtiLoginService,
    LtiLaunchService,
    LtiIdTokenVerifier,
    LtiToolKeysService,
    LtiPlatformsService,
    LtiDeepLinkingService,
    LtiCourseLinkService,
  ],
  exports: [LtiPlatformsService, LtiToolKeysService, LtiDeepLinkingService],
})
export class LtiModule {}
