-- AlterTable
ALTER TABLE "exercises" ADD COLUMN     "instructions" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "submissions" ADD COLUMN     "runs" INTEGER NOT NULL DEFAULT 0,
ALTER COLUMN "attempt" SET DEFAULT 1;

-- AlterTable
ALTER TABLE "results" ADD COLUMN     "attempt" INTEGER NOT NULL DEFAULT 1;

-- CreateIndex
CREATE UNIQUE INDEX "results_submission_id_attempt_key" ON "results"("submission_id", "attempt");

