#!/usr/bin/env bash
# Starts (or stops) a throwaway PostgreSQL cluster on 127.0.0.1 for the relay's tests.
#   eval "$(scripts/relay-pg.sh start)"   # exports PHR_TEST_PG and PHR_PG_DIR
#   scripts/relay-pg.sh stop "$PHR_PG_DIR"
#   scripts/relay-pg.sh restart "$PHR_PG_DIR"   # fault injection: drops every connection
# initdb refuses to run as root, so as root the cluster runs as the `postgres` user
# (created by Debian's package), else as `nobody`.
set -euo pipefail
cmd=${1:-start}
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bindir" ] || { echo "PostgreSQL is not installed (apt-get install -y postgresql)" >&2; exit 1; }
run_as() {
  if [ "$(id -u)" = 0 ]; then
    local u=postgres; id "$u" >/dev/null 2>&1 || u=nobody
    runuser -u "$u" -- "$@"
  else
    "$@"
  fi
}
case "$cmd" in
  start)
    dir=$(mktemp -d "${TMPDIR:-/tmp}/phr-relay-pg.XXXXXX")
    chmod 755 "$dir"
    [ "$(id -u)" = 0 ] && chown "$(id -u postgres 2>/dev/null || id -u nobody)" "$dir"
    port=${PHR_PG_PORT:-$((20000 + RANDOM % 20000))}
    run_as "$bindir/initdb" -D "$dir/data" -U phr --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
    run_as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c full_page_writes=off" start >/dev/null
    echo "export PHR_TEST_PG='host=127.0.0.1 port=$port user=phr dbname=postgres'"
    echo "export PHR_PG_DIR='$dir'"
    ;;
  stop)
    dir=${2:?give the PHR_PG_DIR}
    run_as "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  restart)
    # Fault injection (relay/tests/faults.rs): connections drop, the data stays.
    dir=${2:?give the PHR_PG_DIR}
    run_as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -m fast restart >/dev/null
    ;;
  *) echo "usage: $0 start|stop|restart DIR" >&2; exit 2 ;;
esac
