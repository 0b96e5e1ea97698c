-- AlterTable
ALTER TABLE "results" ADD COLUMN     "transcript_purged_at" TIMESTAMPTZ(3);
