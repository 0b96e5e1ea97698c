-- AlterTable
ALTER TABLE "results" ADD COLUMN     "notices" JSONB NOT NULL DEFAULT '[]';

