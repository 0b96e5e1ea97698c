#!/usr/bin/env bash
# Makes sure the services the tests talk to answer: PostgreSQL (DATABASE_URL / TEST_DATABASE_URL),
# Redis (REDIS_URL) and a Docker engine (DOCKER_HOST). A service named by an environment variable
# on another host is only checked; a local one that does not answer is started, and installed
# from Debian's packages first when missing (needs root, as on CI machines).
# DOCKGRADER_KEEP_ENGINE=true leaves a running engine as it is (only reported).
set -euo pipefail

log() { printf '[services] %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }
is_local() { case "$1" in 127.*|localhost|::1|"") return 0 ;; *) return 1 ;; esac; }
apt_install() {
  if [ "$(id -u)" != 0 ]; then log "cannot install $* without root"; return 1; fi
  if [ ! -f /tmp/.dockgrader-apt-updated ]; then apt-get update -qq && touch /tmp/.dockgrader-apt-updated; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
wait_for() { # wait_for SECONDS CMD...
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.3
  done
}
url_host() { node -e 'const u=new URL(process.argv[1]);process.stdout.write(u.hostname.replace(/^\[|\]$/g,""))' "$1"; }
url_port() { node -e 'const u=new URL(process.argv[1]);process.stdout.write(u.port||process.argv[2])' "$1" "$2"; }

ensure_postgres() {
  local url="${TEST_DATABASE_URL:-${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}}"
  local host port; host=$(url_host "$url"); port=$(url_port "$url" 5432)
  if have pg_isready && pg_isready -q -h "$host" -p "$port"; then return 0; fi
  if ! is_local "$host"; then log "PostgreSQL at $host:$port does not answer"; return 1; fi
  if ! have pg_ctlcluster; then
    log "installing PostgreSQL"; apt_install postgresql postgresql-client
  fi
  local version; version=$(ls /etc/postgresql | sort -V | tail -n1)
  local hba="/etc/postgresql/$version/main/pg_hba.conf"
  # Tests connect as postgres over TCP without a password, as on the project's machines.
  if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for 30 pg_isready -q -h "$host" -p "$port" || { log "PostgreSQL did not start"; return 1; }
}

ensure_redis() {
  local url="${REDIS_URL:-redis://127.0.0.1:6379}"
  local host port; host=$(url_host "$url"); port=$(url_port "$url" 6379)
  if have redis-cli && [ "$(redis-cli -h "$host" -p "$port" ping 2>/dev/null)" = PONG ]; then return 0; fi
  if ! is_local "$host"; then log "Redis at $host:$port does not answer"; return 1; fi
  have redis-server || { log "installing Redis"; apt_install redis-server redis-tools; }
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$port" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/dockgrader.log
  wait_for 15 redis-cli -h "$host" -p "$port" ping || { log "Redis did not start"; return 1; }
}

# Sandboxes hold every capability a nested dockerd needs; a user namespace is what keeps their
# root from being the host's root (docs/security.md). The engine we start remaps it.
ensure_userns_remap_ids() {
  getent passwd dockremap >/dev/null || useradd --system --no-create-home --shell /usr/sbin/nologin dockremap
  grep -q '^dockremap:' /etc/subuid 2>/dev/null || echo 'dockremap:165536:65536' >>/etc/subuid
  grep -q '^dockremap:' /etc/subgid 2>/dev/null || echo 'dockremap:165536:65536' >>/etc/subgid
}
engine_has_userns() { docker -H "$1" info --format '{{json .SecurityOptions}}' 2>/dev/null | grep -q 'name=userns'; }
start_dockerd() {
  ensure_userns_remap_ids
  log "starting dockerd (--userns-remap=default)"
  (setsid dockerd --userns-remap=default >/var/log/dockerd.log 2>&1 &)
  wait_for 60 docker info || { log "dockerd did not start: see /var/log/dockerd.log"; return 1; }
}

ensure_docker() {
  local dh="${DOCKER_HOST:-unix:///var/run/docker.sock}"
  if docker -H "$dh" info >/dev/null 2>&1; then
    engine_has_userns "$dh" && return 0
    # An engine this script started before it enabled user namespaces (a bare `dockerd`, nothing
    # else on its command line) is restarted with them; anyone else's engine is only reported.
    local pid; pid=$(cat /var/run/docker.pid 2>/dev/null || true)
    # DOCKGRADER_KEEP_ENGINE=true: never restart it (a shared engine other test runs depend on).
    if [ "${DOCKGRADER_KEEP_ENGINE:-false}" != true ] && [ "$dh" = unix:///var/run/docker.sock ] && [ -n "$pid" ] && [ "$(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null)" = "dockerd " ]; then
      log "restarting the dockerd this script started, with user namespaces"
      kill "$pid"; wait_for 30 bash -c "! kill -0 $pid" || { log "dockerd $pid did not stop"; return 1; }
      start_dockerd; return
    fi
    log "WARNING: the Docker engine at $dh has no user namespace: workers will refuse it (docs/sandbox.md: --userns-remap=default)"
    return 0
  fi
  case "$dh" in unix:///var/run/docker.sock) ;; *) log "Docker engine at $dh does not answer"; return 1 ;; esac
  have dockerd || { log "installing the Docker engine"; apt_install docker.io iptables ca-certificates; }
  have docker || { log "no docker client"; return 1; }
  start_dockerd
}

# `--faults`: also what the fault suite needs (libfaketime for the worker whose clock runs ahead).
ensure_fault_tools() {
  [ -e /usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1 ] && return 0
  log "installing libfaketime (fault suite)"; apt_install faketime
}

ensure_postgres
ensure_redis
ensure_docker
[ "${1:-}" = "--faults" ] && ensure_fault_tools
log "PostgreSQL, Redis and Docker answer"
