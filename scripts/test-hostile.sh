#!/usr/bin/env bash
# The hostile catalogue (npm run test:hostile): every case in a real sandbox, then the table.
# Extra arguments go to jest (e.g. --json --outputFile=… from scripts/test.sh).
set -uo pipefail
cd "$(dirname "$0")/.."
export HOSTILE_REPORT="${HOSTILE_REPORT:-$(mktemp -t dockgrader-hostile.XXXXXX)}"
: >"$HOSTILE_REPORT"
npx --no-install jest --config test/jest-hostile.config.ts --runInBand --forceExit "$@"
status=$?
node scripts/hostile-table.cjs "$HOSTILE_REPORT" bench/results/hostile.json
exit $status
