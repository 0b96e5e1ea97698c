-- CreateEnum
CREATE TYPE "RegradeStatus" AS ENUM ('running', 'finished');

-- CreateEnum
CREATE TYPE "RegradeVersion" AS ENUM ('current', 'original');

-- CreateEnum
CREATE TYPE "RegradeItemOutcome" AS ENUM ('pending', 'graded', 'error');

-- AlterTable
ALTER TABLE "submissions" ADD COLUMN     "requested_version" TEXT;

-- AlterTable
ALTER TABLE "results" ADD COLUMN     "exercise_version_id" UUID;

-- CreateTable
CREATE TABLE "exercise_versions" (
    "id" UUID NOT NULL,
    "exercise_id" UUID NOT NULL,
    "hash" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "instructions" TEXT NOT NULL,
    "checks" JSONB NOT NULL,
    "max_points" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "exercise_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "regrade_runs" (
    "id" UUID NOT NULL,
    "requested_by_id" UUID,
    "selector" JSONB NOT NULL,
    "selector_key" TEXT NOT NULL,
    "active_key" TEXT,
    "version" "RegradeVersion" NOT NULL,
    "status" "RegradeStatus" NOT NULL DEFAULT 'running',
    "total" INTEGER NOT NULL,
    "done" INTEGER NOT NULL DEFAULT 0,
    "changed" INTEGER NOT NULL DEFAULT 0,
    "skipped" INTEGER NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "regrade_runs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "regrade_items" (
    "run_id" UUID NOT NULL,
    "submission_id" UUID NOT NULL,
    "attempt" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "before_result_id" UUID,
    "after_result_id" UUID,
    "outcome" "RegradeItemOutcome" NOT NULL DEFAULT 'pending',
    "changed" BOOLEAN NOT NULL DEFAULT false,
    "done_at" TIMESTAMPTZ(3),

    CONSTRAINT "regrade_items_pkey" PRIMARY KEY ("run_id","submission_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "exercise_versions_exercise_id_hash_key" ON "exercise_versions"("exercise_id", "hash");

-- CreateIndex
CREATE UNIQUE INDEX "regrade_runs_active_key_key" ON "regrade_runs"("active_key");

-- CreateIndex
CREATE INDEX "regrade_runs_selector_key_created_at_idx" ON "regrade_runs"("selector_key", "created_at");

-- CreateIndex
CREATE INDEX "regrade_items_submission_id_attempt_idx" ON "regrade_items"("submission_id", "attempt");

-- AddForeignKey
ALTER TABLE "exercise_versions" ADD CONSTRAINT "exercise_versions_exercise_id_fkey" FOREIGN KEY ("exercise_id") REFERENCES "exercises"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "results" ADD CONSTRAINT "results_exercise_version_id_fkey" FOREIGN KEY ("exercise_version_id") REFERENCES "exercise_versions"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "regrade_runs" ADD CONSTRAINT "regrade_runs_requested_by_id_fkey" FOREIGN KEY ("requested_by_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "regrade_items" ADD CONSTRAINT "regrade_items_run_id_fkey" FOREIGN KEY ("run_id") REFERENCES "regrade_runs"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "regrade_items" ADD CONSTRAINT "regrade_items_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;

