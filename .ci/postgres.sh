#!/usr/bin/env bash
# Throwaway PostgreSQL for the test suite: install it from Debian if missing, initdb a cluster in a temp dir as the
# `postgres` user (or the current user when not root), start it on 127.0.0.1 at a free port, and write
#   export WFM_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/wfm_test
#   export WFM_REQUIRE_PG=1          (the PostgreSQL tests then fail instead of skipping when it is unreachable)
#   export WFM_TEST_PG_DATA=DIR      (for `stop`)
# to ENV_FILE (default .ci/postgres.env), which .ci/run sources. The URL is also printed on stdout.
#
# usage: .ci/postgres.sh [ENV_FILE]          start
#        .ci/postgres.sh stop [ENV_FILE]     stop the cluster and delete its directory
set -euo pipefail
cd "$(dirname "$0")/.."

pg_bindir() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

as_owner() {
    # Run a PostgreSQL server command as the cluster's owner (PostgreSQL refuses to run as root).
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

if [ "${1:-}" = stop ]; then
    env_file=${2:-.ci/postgres.env}
    # shellcheck disable=SC1090
    . "$env_file"
    bindir=$(pg_bindir)
    as_owner "$bindir/pg_ctl" -D "$WFM_TEST_PG_DATA/data" -m fast -w stop >/dev/null || true
    rm -rf "$WFM_TEST_PG_DATA" "$env_file"
    exit 0
fi
env_file=${1:-.ci/postgres.env}

bindir=$(pg_bindir || true)
if [ -z "$bindir" ]; then
    echo "postgres.sh: installing PostgreSQL from Debian" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql >/dev/null
    bindir=$(pg_bindir)
fi

root=$(mktemp -d /tmp/wfm-pg.XXXXXX)
chmod 755 "$root"
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$root"
fi
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')

as_owner "$bindir/initdb" -D "$root/data" -U postgres --auth=trust --no-sync --encoding=UTF8 --locale=C.UTF-8 >"$root/initdb.log"
as_owner "$bindir/pg_ctl" -D "$root/data" -l "$root/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $root -c fsync=off -c full_page_writes=off" start >/dev/null
as_owner "$bindir/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c 'CREATE DATABASE wfm_test' >/dev/null

url="postgresql+psycopg://postgres@127.0.0.1:$port/wfm_test"
{
    echo "export WFM_TEST_PG_URL=$url"
    echo "export WFM_REQUIRE_PG=1"
    echo "export WFM_TEST_PG_DATA=$root"
} >"$env_file"
echo "$url"
