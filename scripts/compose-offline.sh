#!/usr/bin/env bash
# docker compose where no container registry is reachable. Builds what the compose files' images
# start FROM, locally: the Debian base and its debian:bookworm tag (scripts/build-images.sh, from
# debootstrap, cached by content hash) and Node on top of it (images/compose/node); then runs
# compose with docker-compose.offline.yml added. Arguments go to compose:
#   bash scripts/compose-offline.sh up --build -d
#   bash scripts/compose-offline.sh up -d --scale worker=3
#   bash scripts/compose-offline.sh down
# Uses `docker compose` (the plugin) when present, else Debian's docker-compose 1.29
# (apt-get install docker-compose).
set -euo pipefail
cd "$(dirname "$0")/.."
# Debian's engine has no BuildKit; the classic builder handles ARG before FROM.
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0
export DOCKGRADER_NODE_IMAGE="${DOCKGRADER_NODE_IMAGE:-dockgrader/node:24.22.3}"

if [[ "${1:-}" == up || "${1:-}" == build ]]; then
  bash scripts/build-images.sh >&2
  if ! docker image inspect "$DOCKGRADER_NODE_IMAGE" >/dev/null 2>&1; then
    # The host's own extra certificate authorities (a TLS-inspecting proxy's), so that npm inside
    # the build reaches the registry as the host does.
    rm -f images/compose/node/ca/*.crt
    cp /usr/local/share/ca-certificates/*.crt images/compose/node/ca/ 2>/dev/null || true
    echo "building $DOCKGRADER_NODE_IMAGE (Node from the npm registry on the Debian base)" >&2
    docker build -q -t "$DOCKGRADER_NODE_IMAGE" images/compose/node >&2
  fi
fi

if docker compose version >/dev/null 2>&1; then compose=(docker compose)
elif command -v docker-compose >/dev/null; then compose=(docker-compose)
else
  echo "no compose: install the Docker compose plugin, or Debian's: apt-get install docker-compose" >&2
  exit 1
fi
exec "${compose[@]}" -f docker-compose.yml -f docker-compose.offline.yml "$@"
