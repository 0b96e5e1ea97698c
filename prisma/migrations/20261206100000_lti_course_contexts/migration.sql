-- AlterTable
ALTER TABLE "courses" ADD COLUMN     "lti_context_id" TEXT,
ADD COLUMN     "lti_platform_id" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "courses_lti_platform_id_lti_context_id_key" ON "courses"("lti_platform_id", "lti_context_id");

-- AddForeignKey
ALTER TABLE "courses" ADD CONSTRAINT "courses_lti_platform_id_fkey" FOREIGN KEY ("lti_platform_id") REFERENCES "lti_platforms"("id") ON DELETE SET NULL ON UPDATE CASCADE;
