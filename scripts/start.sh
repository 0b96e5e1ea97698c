#!/usr/bin/env bash
# npm start: the whole service on this machine, from a fresh clone, offline. Provisions what is
# missing (Node, node_modules, PostgreSQL, Redis, the Docker engine with user namespaces, images),
# builds, migrates, then hands over to the supervisor (src/supervisor/start.ts): first admin, api,
# workers, the URL to open; Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '[dockgrader] %s\n' "$*"; }
fail() { printf '[dockgrader] %s\n' "$*" >&2; exit 1; }

source scripts/toolchain.sh
ensure_node
ensure_node_modules

step "services: PostgreSQL, Redis, Docker engine"
bash scripts/ensure-services.sh || fail "a service could not be started (see above); fix it and run npm start again"

step "images (cached by content hash)"
bash scripts/build-images.sh >/dev/null || fail "image build failed: see images/.built/logs/"

step "build"
out=$(npm run --silent build 2>&1) || { echo "$out" >&2; fail "build failed"; }

step "database"
bash scripts/db-migrate.sh || fail "migration failed (see above)"

# exec: the supervisor receives the signals directly (npm forwards Ctrl-C to it).
exec node dist/supervisor/start.js
