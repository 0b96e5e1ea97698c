-- The current score on the submission row (issue #16): the gradebook aggregates 60,000 submissions
-- of a large course without looking up each one's newest result.
ALTER TABLE "submissions" ADD COLUMN "score" DOUBLE PRECISION, ADD COLUMN "max_score" DOUBLE PRECISION;

-- Kept by a trigger rather than by each writer, as every statement that stores, changes or removes a
-- result (the worker, test fixtures, bench seeding, data care) updates the copy in its own
-- transaction, and none can forget to. The copy is the newest result's (highest attempt), as the
-- lateral lookup it replaces read it.
-- The body is an escape string with its semicolons written \x3B: Prisma's migration runner (the pg
-- adapter's executeScript) splits the file at every semicolon, in dollar quotes and comments too. A row subquery
-- that finds no row (the last result removed) sets both columns to null.
CREATE FUNCTION submission_score_sync() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF TG_OP <> ''INSERT'' THEN
    UPDATE submissions SET (score, max_score) = (
      SELECT score, max_score FROM results WHERE submission_id = OLD.submission_id ORDER BY attempt DESC LIMIT 1
    ) WHERE id = OLD.submission_id\x3B
  END IF\x3B
  IF TG_OP = ''INSERT'' OR (TG_OP = ''UPDATE'' AND NEW.submission_id IS DISTINCT FROM OLD.submission_id) THEN
    UPDATE submissions SET (score, max_score) = (
      SELECT score, max_score FROM results WHERE submission_id = NEW.submission_id ORDER BY attempt DESC LIMIT 1
    ) WHERE id = NEW.submission_id\x3B
  END IF\x3B
  RETURN NULL\x3B
END
';

CREATE TRIGGER results_submission_score
  AFTER INSERT OR DELETE OR UPDATE OF score, max_score, attempt, submission_id ON "results"
  FOR EACH ROW EXECUTE FUNCTION submission_score_sync();

-- Backfill from the newest result of each submission.
UPDATE "submissions" s
   SET score = r.score, max_score = r.max_score
  FROM (
    SELECT DISTINCT ON (submission_id) submission_id, score, max_score
      FROM "results" ORDER BY submission_id, attempt DESC
  ) r
 WHERE r.submission_id = s.id;
