#!/bin/sh
# Starts the inner dockerd. Runs as the sandbox's init child (HostConfig.Init), never --privileged.
set -eu
# cgroup v1 controllers are mounted read-only by Docker; the inner engine must create child cgroups.
# A plain `remount,rw` fails; `remount,bind,rw` works, and only before dockerd holds the mounts.
for d in /sys/fs/cgroup/*/; do mount -o remount,bind,rw "$d" 2>/dev/null || true; done
mkdir -p /run/dockgrader
# Inner containers live under the inner engine's default cgroup parent, /docker. Capping it below
# the sandbox's own pids limit keeps room for the shell and the engine when one of them forks
# without end (the worker computes the figure: DOCKGRADER_INNER_PIDS).
if [ -n "${DOCKGRADER_INNER_PIDS:-}" ] && [ -d /sys/fs/cgroup/pids ]; then
  { mkdir -p /sys/fs/cgroup/pids/docker && echo "$DOCKGRADER_INNER_PIDS" >/sys/fs/cgroup/pids/docker/pids.max; } \
    || echo "dockgrader: could not cap inner containers at $DOCKGRADER_INNER_PIDS pids" >&2
fi
# The worker copies the golden image store into /var/lib/docker while this container starts:
# wait for its flag rather than serialising the copy and the container start.
i=0
while [ ! -e /var/lib/docker/.dockgrader-ready ]; do
  i=$((i + 1)); [ "$i" -gt 3000 ] && { echo "dockgrader: image store never became ready" >&2; exit 1; }
  sleep 0.01
done
set -- --host=unix:///run/dockgrader/docker.sock \
  --data-root=/var/lib/docker \
  --exec-root=/run/docker \
  --pidfile=/run/docker.pid \
  --storage-driver=overlay2 \
  --iptables="${DOCKGRADER_INNER_IPTABLES:-false}" \
  --log-level="${DOCKGRADER_LOG_LEVEL:-warn}"
# Without egress the sandbox has no network to NAT to: skipping iptables saves ~0.4 s of start-up
# (tens of iptables calls); user networks still resolve names and `-p` still works on loopback.
if [ -n "${DOCKGRADER_REGISTRY_MIRROR:-}" ]; then set -- "$@" --registry-mirror="$DOCKGRADER_REGISTRY_MIRROR"; fi
# The default socket path too, for tools that ignore DOCKER_HOST.
ln -sf /run/dockgrader/docker.sock /var/run/docker.sock 2>/dev/null || true
exec dockerd "$@"
