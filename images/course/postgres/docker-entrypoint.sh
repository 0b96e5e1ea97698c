#!/usr/bin/env bash
# A reduced rewrite of the official postgres image's entrypoint: same environment variables,
# same refusal message, same "init then run in the foreground" sequence.
set -Eeo pipefail

if [ "${1:0:1}" = '-' ]; then set -- postgres "$@"; fi

if [ "$1" = 'postgres' ]; then
  if [ "$(id -u)" = '0' ]; then
    mkdir -p "$PGDATA" && chown -R postgres:postgres "$PGDATA" && chmod 700 "$PGDATA" || :
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$BASH_SOURCE" "$@"
  fi
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ] && [ 'trust' != "${POSTGRES_HOST_AUTH_METHOD:-}" ]; then
      cat >&2 <<-'EOE'
	Error: Database is uninitialized and superuser password is not specified.
	       You must specify POSTGRES_PASSWORD to a non-empty value for the
	       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

	       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
	       connections without a password. This is *not* recommended.

	       See PostgreSQL documentation about "trust":
	       https://www.postgresql.org/docs/current/auth-trust.html
	EOE
      exit 1
    fi
    if [ 'trust' = "${POSTGRES_HOST_AUTH_METHOD:-}" ]; then
      cat >&2 <<-'EOWARN'
	********************************************************************************
	WARNING: POSTGRES_HOST_AUTH_METHOD has been set to "trust". This will allow
	         anyone with access to the Postgres port to access your database without
	         a password, even if POSTGRES_PASSWORD is set.
	********************************************************************************
	EOWARN
    fi
    : "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}"
    initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}") ${POSTGRES_INITDB_ARGS:-}
    auth="${POSTGRES_HOST_AUTH_METHOD:-scram-sha-256}"
    printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"
    printf "\nlisten_addresses = '*'\n" >>"$PGDATA/postgresql.conf"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p 5432" -w start
    if [ "$POSTGRES_DB" != 'postgres' ]; then
      PGPASSWORD="${POSTGRES_PASSWORD:-}" psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --dbname postgres \
        -c "CREATE DATABASE \"$POSTGRES_DB\";"
    fi
    for f in /docker-entrypoint-initdb.d/*; do
      case "$f" in
        *.sh) echo "$0: running $f"; . "$f" ;;
        *.sql) echo "$0: running $f"; psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --dbname "$POSTGRES_DB" -f "$f" ;;
        *) ;;
      esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop
    echo
    echo 'PostgreSQL init process complete; ready for start up.'
    echo
  else
    echo
    echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
    echo
  fi
fi
exec "$@"
