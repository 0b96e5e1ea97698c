#!/bin/sh
# Starts the inner dockerd. Runs as the sandbox's init child (HostConfig.Init), never --privileged.
set -eu
# cgroup v1 controllers are mounted read-only by Docker; the inner engine must create child cgroups.
# A plain `remount,rw` fails; `remount,bind,rw` works, and only before dockerd holds the mounts.
for d in /sys/fs/cgroup/*/; do mount -o remount,bind,rw "$d" 2>/dev/null || true; done
mkdir -p /run/dockgrader
set -- --host=unix:///run/dockgrader/docker.sock \
  --data-root=/var/lib/docker \
  --exec-root=/run/docker \
  --pidfile=/run/docker.pid \
  --storage-driver=overlay2 \
  --log-level="${DOCKGRADER_LOG_LEVEL:-warn}"
if [ -n "${DOCKGRADER_REGISTRY_MIRROR:-}" ]; then set -- "$@" --registry-mirror="$DOCKGRADER_REGISTRY_MIRROR"; fi
# The default socket path too, for tools that ignore DOCKER_HOST.
ln -sf /run/dockgrader/docker.sock /var/run/docker.sock 2>/dev/null || true
exec dockerd "$@"
