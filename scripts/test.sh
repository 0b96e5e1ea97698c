#!/usr/bin/env bash
# The whole test suite, as the README documents it: services up, images built (cached by content
# hash), code generated and compiled, then the four tiers and the exercise catalogue check. Each
# tier isolates itself (its own database and Redis prefix) and removes what it created.
set -euo pipefail
# Any other command that stops the run names its line (set -e alone exits without a word).
trap 'echo "scripts/test.sh: line $LINENO failed (exit $?)"' ERR
cd "$(dirname "$0")/.."

quiet() { # quiet COMMAND...: its output only when it fails (the ERR trap then names the line)
  local out; out=$("$@" 2>&1) || { local rc=$?; echo "$out"; return "$rc"; }
}
# A fresh clone needs nothing typed first: a suitable Node and node_modules (scripts/toolchain.sh).
source scripts/toolchain.sh
ensure_node
ensure_node_modules
bash scripts/ensure-services.sh
if [ -x scripts/build-images.sh ]; then bash scripts/build-images.sh; fi
quiet npm run --silent db:generate
npm run --silent build
npx --no-install tsc -p tsconfig.check.json

reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
status=0
# Nothing a tier creates may outlive it: sandbox containers and networks (labelled) and sandbox
# directories. Checked after each tier against what existed before the run, so a leak names the
# tier that left it and a machine's older leftovers are not blamed on this run.
sandbox_run_dir="${SANDBOX_ROOT:-/var/lib/dockgrader/sandboxes}/run"
sandbox_things() {
  { docker ps -aq --no-trunc --filter label=org.dockgrader.sandbox
    docker network ls -q --no-trunc --filter label=org.dockgrader.sandbox
    ls -A "$sandbox_run_dir" 2>/dev/null || true; } | LC_ALL=C sort  # no directory yet on a fresh machine
}
before=$(sandbox_things)
check_leftovers() { # check_leftovers TIER
  local left
  left=$(LC_ALL=C comm -13 <(echo "$before") <(sandbox_things) | tr '\n' ' ')
  if [ -n "$left" ]; then echo "leftovers after the $1 tier: $left"; leaks=$((leaks + 1)); status=1; fi
}
leaks=0
run_tier() { # run_tier NAME JEST-ARGS...
  local name=$1; shift
  echo "=== $name tests ==="
  npx --no-install jest "$@" --json --outputFile="$reports/$name.json" || status=1
  check_leftovers "$name"
}
run_tier unit --config jest.config.ts
# --forceExit: a test that fails half-way can leave a client open; CI must end, not hang. Each
# suite closes what it opened in afterAll/finally, so on a green run this changes nothing.
run_tier integration --config test/jest-integration.config.ts --runInBand --forceExit
run_tier e2e --config test/jest-e2e.config.ts --runInBand --forceExit
# The student pages in a real Chromium (Debian's, driven by playwright-core) against the built api and worker.
run_tier browser --config test/jest-browser.config.ts --runInBand --forceExit

# The hostile catalogue (npm run test:hostile): attacks on the sandbox, each in a real sandbox, and
# the table of what contained each one.
echo "=== hostile tests ==="
bash scripts/test-hostile.sh --json --outputFile="$reports/hostile.json" || status=1
check_leftovers hostile

# The course catalogue: every definition validated, every reference and wrong solution replayed in
# real sandboxes and compared with its expected score.
echo "=== catalogue (npm run exercises:check) ==="
npm run --silent exercises:check 2>&1 | tee "$reports/catalogue.txt" || status=1
check_leftovers catalogue

node -e '
  const fs = require("fs"), dir = process.argv[1];
  let passed = 0, failed = 0, skipped = 0;
  for (const tier of ["unit", "integration", "e2e", "browser", "hostile"]) {
    const f = `${dir}/${tier}.json`;
    if (!fs.existsSync(f)) { console.log(`${tier}: no report`); failed++; continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    console.log(`${tier}: ${r.numPassedTests} passed, ${r.numFailedTests} failed (${r.numTotalTestSuites} suites)`);
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites; skipped += r.numPendingTests;
  }
  const cat = fs.existsSync(`${dir}/catalogue.txt`) ? fs.readFileSync(`${dir}/catalogue.txt`, "utf8") : "";
  const m = /solutions: (\d+) ok, (\d+) failing/.exec(cat);
  if (m) { console.log(`catalogue: ${m[1]} passed, ${m[2]} failed (solutions replayed)`); passed += +m[1]; failed += +m[2]; }
  else { console.log("catalogue: no summary"); failed++; }
  const leaks = Number(process.argv[2]);
  if (leaks) { console.log(`leftovers: ${leaks} tiers left sandboxes behind`); failed += leaks; }
  console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$reports" "$leaks"
exit $status
