#!/usr/bin/env bash
# Runs the Prisma CLI offline. Prisma would download native engines from its own host, which these
# machines cannot reach; the stub paths tell it they exist, and prisma.config.ts makes it use its
# WebAssembly schema engine over the pg driver instead.
set -euo pipefail
stub="${TMPDIR:-/tmp}/dockgrader-prisma-engine-stub"
[ -e "$stub" ] || : >"$stub"
export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$stub}"
export PRISMA_QUERY_ENGINE_LIBRARY="${PRISMA_QUERY_ENGINE_LIBRARY:-$stub}"
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
cd "$(dirname "$0")/.."
# schema.prisma reads env("DATABASE_URL"); the service's own default (src/config/env.ts, kept equal
# by a unit test) applies when it is unset, as for every other command.
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/dockgrader}"
exec npx --no-install prisma "$@"
