-- AlterEnum
ALTER TYPE "SubmissionStatus" ADD VALUE 'internal_error';

