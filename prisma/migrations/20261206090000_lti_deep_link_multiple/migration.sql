-- AlterTable
ALTER TABLE "lti_deep_link_requests" ADD COLUMN "accept_multiple" BOOLEAN NOT NULL DEFAULT false;
