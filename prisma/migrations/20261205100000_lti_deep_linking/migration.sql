
-- CreateTable
CREATE TABLE "lti_deep_link_requests" (
    "id" UUID NOT NULL,
    "platform_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "deployment_id" TEXT NOT NULL,
    "return_url" TEXT NOT NULL,
    "data" TEXT,
    "context_title" TEXT,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "lti_deep_link_requests_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "lti_deep_link_requests_expires_at_idx" ON "lti_deep_link_requests"("expires_at");

-- AddForeignKey
ALTER TABLE "lti_deep_link_requests" ADD CONSTRAINT "lti_deep_link_requests_platform_id_fkey" FOREIGN KEY ("platform_id") REFERENCES "lti_platforms"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "lti_deep_link_requests" ADD CONSTRAINT "lti_deep_link_requests_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

