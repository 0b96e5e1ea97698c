#!/bin/sh
set -e
# Like the official image: `docker run redis --port 7000` means redis-server with those flags.
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = 'redis-server' ]; then
  # The official image builds redis with protected mode off, so other containers can connect.
  shift
  set -- redis-server --protected-mode no --bind '* -::*' "$@"
  if [ "$(id -u)" = '0' ]; then exec setpriv --reuid=redis --regid=redis --init-groups "$@"; fi
fi
exec "$@"
