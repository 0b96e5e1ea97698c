-- LTI 1.3 (issue 17): platforms, the tool's keys, OIDC login states, resource links and launches;
-- the outbox (webhook_deliveries) also carries AGS scores, to a launch instead of an integration.
-- CreateEnum
CREATE TYPE "DeliveryKind" AS ENUM ('webhook', 'lti_score');

-- AlterTable
ALTER TABLE "webhook_deliveries" ADD COLUMN     "kind" "DeliveryKind" NOT NULL DEFAULT 'webhook',
ADD COLUMN     "lti_launch_id" UUID,
ALTER COLUMN "integration_id" DROP NOT NULL;

-- CreateTable
CREATE TABLE "lti_platforms" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "issuer" TEXT NOT NULL,
    "client_id" TEXT NOT NULL,
    "deployment_ids" TEXT[],
    "auth_url" TEXT NOT NULL,
    "token_url" TEXT NOT NULL,
    "jwks_url" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lti_platforms_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lti_tool_keys" (
    "kid" TEXT NOT NULL,
    "public_jwk" JSONB NOT NULL,
    "private_pem" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "lti_tool_keys_pkey" PRIMARY KEY ("kid")
);

-- CreateTable
CREATE TABLE "lti_login_states" (
    "state" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "platform_id" UUID NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "lti_login_states_pkey" PRIMARY KEY ("state")
);

-- CreateTable
CREATE TABLE "lti_resource_links" (
    "id" UUID NOT NULL,
    "platform_id" UUID NOT NULL,
    "resource_link_id" TEXT NOT NULL,
    "deployment_id" TEXT NOT NULL,
    "exercise_id" UUID NOT NULL,
    "context_id" TEXT,
    "context_title" TEXT,
    "title" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lti_resource_links_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lti_launches" (
    "id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "resource_link_id" UUID NOT NULL,
    "sub" TEXT NOT NULL,
    "line_item_url" TEXT,
    "ags_scopes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "first_launch_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_launch_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lti_launches_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "lti_platforms_issuer_client_id_key" ON "lti_platforms"("issuer", "client_id");

-- CreateIndex
CREATE INDEX "lti_login_states_expires_at_idx" ON "lti_login_states"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "lti_resource_links_platform_id_resource_link_id_key" ON "lti_resource_links"("platform_id", "resource_link_id");

-- CreateIndex
CREATE UNIQUE INDEX "lti_launches_user_id_resource_link_id_key" ON "lti_launches"("user_id", "resource_link_id");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_lti_launch_id_submission_id_event_sequen_key" ON "webhook_deliveries"("lti_launch_id", "submission_id", "event", "sequence");

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_lti_launch_id_fkey" FOREIGN KEY ("lti_launch_id") REFERENCES "lti_launches"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lti_login_states" ADD CONSTRAINT "lti_login_states_platform_id_fkey" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lti_resource_links" ADD CONSTRAINT "lti_resource_links_platform_id_fkey" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lti_resource_links" ADD CONSTRAINT "lti_resource_links_exercise_id_fkey" FOREIGN KEY ("exercise_id") REFERENCES "exercises"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lti_launches" ADD CONSTRAINT "lti_launches_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lti_launches" ADD CONSTRAINT "lti_launches_resource_link_id_fkey" FOREIGN KEY ("resource_link_id") REFERENCES "lti_resource_links"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- A delivery has exactly the target its kind names.
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_target_check" CHECK ((kind = 'webhook' AND integration_id IS NOT NULL AND lti_launch_id IS NULL) OR (kind = 'lti_score' AND lti_launch_id IS NOT NULL AND integration_id IS NULL));
