-- The gradebook's cells (src/courses/gradebook.service.ts GRADEBOOK_CELLS_SQL), read per assignment
-- in this index's order: one student's submissions together, newest first, so the "last" counted
-- submission is the first of each student (no sort) and the counts need no sort either. Before it,
-- a course of 60,000 submissions sorted them all by (student, assignment) and spilled 5.8 MB to disk
-- at the default work_mem (bench:reports EXPLAIN). The INCLUDE columns are all the statement reads,
-- so it is an index-only scan and never reads the wide rows (source, etc.).
-- Prisma's schema cannot say INCLUDE: the index lives here only (schema.prisma names it in a comment).
CREATE INDEX "submissions_gradebook_cells_idx" ON "submissions" ("assignment_id", "user_id", "created_at" DESC, "id" DESC)
  INCLUDE ("score", "credit", "practice_reason", "status");
