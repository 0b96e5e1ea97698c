#!/usr/bin/env bash
# npm run db:restore -- FILE [--force]: restores a db:backup file into DATABASE_URL's database
# (created when missing). A database that already holds tables is refused unless --force, which
# replaces what the backup contains (pg_restore --clean). Stop the api and the workers first.
set -euo pipefail
cd "$(dirname "$0")/.."
file="${1:-}"; force="${2:-}"
[[ -n "$file" && -f "$file" ]] || { echo "usage: npm run db:restore -- FILE [--force] (FILE: a db:backup file)" >&2; exit 2; }
[[ -z "$force" || "$force" == --force ]] || { echo "db:restore: unknown option $force" >&2; exit 2; }
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/dockgrader}"
command -v pg_restore >/dev/null || { echo "db:restore: pg_restore is missing: apt-get install postgresql-client" >&2; exit 1; }
pg_restore --list "$file" >/dev/null 2>&1 || { echo "db:restore: $file is not a pg_dump custom-format file" >&2; exit 1; }
node scripts/db-create.cjs
pgurl="${DATABASE_URL%%\?*}" # libpq tools refuse Prisma-style parameters
tables=$(psql "$pgurl" -Atc "select count(*) from pg_tables where schemaname = 'public'")
if [[ "$tables" != 0 && "$force" != --force ]]; then
  echo "db:restore: the database already has $tables tables; add --force to replace them with the backup's" >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --clean --if-exists --single-transaction --exit-on-error \
  --dbname="$pgurl" "$file" || { echo "db:restore failed: nothing was changed (one transaction)" >&2; exit 1; }
echo "restored $file into $(sed -E 's#.*/([^/?]+).*#\1#' <<<"$DATABASE_URL")" >&2
