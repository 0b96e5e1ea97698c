#!/usr/bin/env bash
# npm run db:backup [-- FILE]: the whole database (DATABASE_URL, same default as the service) in
# pg_dump's custom format (compressed, restorable table by table with pg_restore). Without FILE:
# backups/dockgrader-<UTC date>.dump. Prints the file's path on stdout. The server may stay up:
# pg_dump reads one consistent snapshot.
set -euo pipefail
cd "$(dirname "$0")/.."
url="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/dockgrader}"
# libpq tools refuse Prisma-style parameters (?schema=…, ?connection_limit=…).
url="${url%%\?*}"
command -v pg_dump >/dev/null || { echo "db:backup: pg_dump is missing: apt-get install postgresql-client" >&2; exit 1; }
file="${1:-backups/dockgrader-$(date -u +%Y%m%dT%H%M%SZ).dump}"
mkdir -p "$(dirname "$file")"
# Written beside, then renamed: a failed dump never leaves a file that looks like a backup.
pg_dump --format=custom --no-owner --no-privileges --dbname="$url" --file="$file.partial" \
  || { rm -f "$file.partial"; echo "db:backup failed (database $url)" >&2; exit 1; }
mv "$file.partial" "$file"
echo "backup written: $file ($(du -h "$file" | cut -f1))" >&2
echo "$file"
