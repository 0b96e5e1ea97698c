-- Courses (issue 16): courses, enrolments, assignments with a credit timeline, per-student overrides,
-- submissions carry their assignment, attempt number, credit and practice reason.
-- CreateEnum
CREATE TYPE "PracticeReason" AS ENUM ('late', 'attempts');

-- CreateEnum
CREATE TYPE "CourseRole" AS ENUM ('student', 'instructor', 'assistant');

-- CreateEnum
CREATE TYPE "CountedPolicy" AS ENUM ('best', 'last');

-- AlterTable
ALTER TABLE "submissions" ADD COLUMN     "assignment_attempt" INTEGER,
ADD COLUMN     "assignment_id" UUID,
ADD COLUMN     "credit" DOUBLE PRECISION,
ADD COLUMN     "practice_reason" "PracticeReason";

-- CreateTable
CREATE TABLE "courses" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "term" TEXT NOT NULL DEFAULT '',
    "time_zone" TEXT NOT NULL DEFAULT 'Europe/Paris',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "courses_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "enrolments" (
    "id" UUID NOT NULL,
    "course_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "role" "CourseRole" NOT NULL DEFAULT 'student',
    "group" TEXT NOT NULL DEFAULT '',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "enrolments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "assignments" (
    "id" UUID NOT NULL,
    "course_id" UUID NOT NULL,
    "exercise_id" UUID NOT NULL,
    "opens_at" TIMESTAMPTZ(3),
    "due_at" TIMESTAMPTZ(3) NOT NULL,
    "late_until" TIMESTAMPTZ(3),
    "late_credit" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "max_attempts" INTEGER,
    "cooldown_seconds" INTEGER,
    "counted" "CountedPolicy" NOT NULL DEFAULT 'best',
    "reveal_hidden_after_due" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "assignments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "assignment_overrides" (
    "id" UUID NOT NULL,
    "assignment_id" UUID NOT NULL,
    "user_id" UUID NOT NULL,
    "due_at" TIMESTAMPTZ(3),
    "late_until" TIMESTAMPTZ(3),
    "extra_attempts" INTEGER NOT NULL DEFAULT 0,
    "granted_by_id" UUID,
    "granted_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "assignment_overrides_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "courses_code_key" ON "courses"("code");

-- CreateIndex
CREATE INDEX "enrolments_user_id_idx" ON "enrolments"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "enrolments_course_id_user_id_key" ON "enrolments"("course_id", "user_id");

-- CreateIndex
CREATE UNIQUE INDEX "assignments_course_id_exercise_id_key" ON "assignments"("course_id", "exercise_id");

-- CreateIndex
CREATE UNIQUE INDEX "assignment_overrides_assignment_id_user_id_key" ON "assignment_overrides"("assignment_id", "user_id");

-- CreateIndex
CREATE INDEX "submissions_assignment_id_user_id_created_at_idx" ON "submissions"("assignment_id", "user_id", "created_at");

-- CreateIndex
CREATE UNIQUE INDEX "submissions_assignment_id_user_id_assignment_attempt_key" ON "submissions"("assignment_id", "user_id", "assignment_attempt");

-- AddForeignKey
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_assignment_id_fkey" FOREIGN KEY ("assignment_id") REFERENCES "assignments"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrolments" ADD CONSTRAINT "enrolments_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "courses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "enrolments" ADD CONSTRAINT "enrolments_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_course_id_fkey" FOREIGN KEY ("course_id") REFERENCES "courses"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_exercise_id_fkey" FOREIGN KEY ("exercise_id") REFERENCES "exercises"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment_overrides" ADD CONSTRAINT "assignment_overrides_assignment_id_fkey" FOREIGN KEY ("assignment_id") REFERENCES "assignments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "assignment_overrides" ADD CONSTRAINT "assignment_overrides_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- The service validates these (with French messages), the database refuses what slips through.
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_late_credit_range" CHECK ("late_credit" >= 0 AND "late_credit" <= 1);
ALTER TABLE "assignments" ADD CONSTRAINT "assignments_windows_ordered" CHECK (("opens_at" IS NULL OR "opens_at" <= "due_at") AND ("late_until" IS NULL OR "late_until" >= "due_at"));
ALTER TABLE "submissions" ADD CONSTRAINT "submissions_credit_range" CHECK ("credit" IS NULL OR ("credit" >= 0 AND "credit" <= 1));
