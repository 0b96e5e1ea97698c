-- LMS integrations (issue 17): integrations, inbound submissions, the webhook outbox and its attempt log.
-- webhook_deliveries was in the schema but never written: reshaped in place (it is empty).
-- AlterTable
ALTER TABLE "webhook_deliveries" DROP COLUMN "payload",
DROP COLUMN "target",
ADD COLUMN     "body" TEXT NOT NULL,
ADD COLUMN     "integration_id" UUID NOT NULL,
ADD COLUMN     "round_start" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "sequence" INTEGER NOT NULL,
ALTER COLUMN "next_retry_at" SET DEFAULT CURRENT_TIMESTAMP;

-- CreateTable
CREATE TABLE "integrations" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "inbound_secret" TEXT NOT NULL,
    "inbound_secret_previous" TEXT,
    "inbound_previous_until" TIMESTAMPTZ(3),
    "webhook_url" TEXT,
    "webhook_secret" TEXT NOT NULL,
    "webhook_secret_previous" TEXT,
    "webhook_previous_until" TIMESTAMPTZ(3),
    "webhook_disabled_at" TIMESTAMPTZ(3),
    "webhook_disabled_reason" TEXT,
    "course_codes" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotated_at" TIMESTAMPTZ(3),

    CONSTRAINT "integrations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lms_submissions" (
    "submission_id" UUID NOT NULL,
    "integration_id" UUID NOT NULL,
    "message_id" TEXT NOT NULL,
    "external_user_id" TEXT NOT NULL,
    "assignment" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lms_submissions_pkey" PRIMARY KEY ("submission_id")
);

-- CreateTable
CREATE TABLE "webhook_delivery_attempts" (
    "id" UUID NOT NULL,
    "delivery_id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "duration_ms" INTEGER NOT NULL,
    "http_status" INTEGER,
    "response" TEXT NOT NULL,

    CONSTRAINT "webhook_delivery_attempts_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "lms_submissions_integration_id_message_id_key" ON "lms_submissions"("integration_id", "message_id");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_delivery_attempts_delivery_id_number_key" ON "webhook_delivery_attempts"("delivery_id", "number");

-- CreateIndex
CREATE INDEX "webhook_deliveries_integration_id_created_at_idx" ON "webhook_deliveries"("integration_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_integration_id_submission_id_event_seque_key" ON "webhook_deliveries"("integration_id", "submission_id", "event", "sequence");

-- AddForeignKey
ALTER TABLE "lms_submissions" ADD CONSTRAINT "lms_submissions_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lms_submissions" ADD CONSTRAINT "lms_submissions_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_integration_id_fkey" FOREIGN KEY ("integration_id") REFERENCES "integrations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_delivery_attempts" ADD CONSTRAINT "webhook_delivery_attempts_delivery_id_fkey" FOREIGN KEY ("delivery_id") REFERENCES "webhook_deliveries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

