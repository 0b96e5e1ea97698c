#!/usr/bin/env bash
# npm run db:migrate: creates the database when it does not exist yet, then applies the committed
# migrations (offline, scripts/prisma.sh). DATABASE_URL defaults as for the service.
set -euo pipefail
cd "$(dirname "$0")/.."
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/dockgrader}"
node scripts/db-create.cjs
out=$(bash scripts/prisma.sh migrate deploy 2>&1) || { echo "$out" | grep -v '^\s*$' | tail -n 5 >&2; echo "db:migrate failed" >&2; exit 1; }
# Prisma lists every folder; one line is enough here.
if grep -q 'No pending migrations' <<<"$out"; then echo "database up to date" >&2
else echo "migrations applied: $(grep -c 'migration.sql' <<<"$out")" >&2; fi
