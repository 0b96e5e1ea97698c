#!/bin/sh
# Starts the inner dockerd. Runs as the sandbox's init child (HostConfig.Init), never --privileged,
# as root of the sandbox's user namespace (not the host's root: see docs/security.md).
set -eu
# cgroup v1 controllers are mounted read-only by Docker; the inner engine must create child cgroups.
# A plain `remount,rw` fails; `remount,bind,rw` works, and only before dockerd holds the mounts.
for d in /sys/fs/cgroup/*/; do mount -o remount,bind,rw "$d" 2>/dev/null || true; done
mkdir -p /run/dockgrader
# The worker copies the image store's metadata into /var/lib/docker and hands the sandbox its
# cgroup directories (user namespace: they must be chowned from the host) while this container
# starts: wait for its flag rather than serialising the two.
i=0
while [ ! -e /var/lib/docker/.dockgrader-ready ]; do
  i=$((i + 1)); [ "$i" -gt 3000 ] && { echo "dockgrader: image store never became ready" >&2; exit 1; }
  sleep 0.01
done
# Inner containers live under the inner engine's default cgroup parent, /docker. Capping it below
# the sandbox's own pids limit keeps room for the shell and the engine when one of them forks
# without end (the worker computes the figure: DOCKGRADER_INNER_PIDS). Needs the delegation above.
if [ -n "${DOCKGRADER_INNER_PIDS:-}" ] && [ -d /sys/fs/cgroup/pids ]; then
  { mkdir -p /sys/fs/cgroup/pids/docker && echo "$DOCKGRADER_INNER_PIDS" >/sys/fs/cgroup/pids/docker/pids.max; } \
    || echo "dockgrader: could not cap inner containers at $DOCKGRADER_INNER_PIDS pids" >&2
fi
# Course image layers: the store's files, shared by every sandbox, arrive read-only (a read-only
# volume the sandbox cannot remount writable) and are bound over the empty layer directories of
# this sandbox's copy. The inner engine only reads them; removing an image unmounts the binding
# (dockerd does this itself on EBUSY) and never reaches the store.
golden=/var/lib/dockgrader-golden
if [ -d "$golden" ]; then
  for layer in "$golden"/*/diff; do
    [ -d "$layer" ] || continue
    id=${layer%/diff}; id=${id##*/}
    [ -d "/var/lib/docker/overlay2/$id/diff" ] && mount --bind "$layer" "/var/lib/docker/overlay2/$id/diff"
  done
fi
set -- --host=unix:///run/dockgrader/docker.sock \
  --group=docker \
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
