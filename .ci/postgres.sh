# Sourced by .ci/run: start a throwaway PostgreSQL server for the store tests and export
# RECAP_TEST_PG. Installs the Debian packages only when initdb/pg_ctl are missing. The server
# runs as the `postgres` user (it refuses to run as root), listens on 127.0.0.1 only, and is
# stopped (its data directory removed) when the calling shell exits.
recap_pg_start() {
  local port="${RECAP_TEST_PG_PORT:-54329}" bindir initdb_bin
  initdb_bin=$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n1 || true)
  if [ -z "$initdb_bin" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    initdb_bin=$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n1)
  fi
  bindir=$(dirname "$(readlink -f "$initdb_bin")")
  RECAP_PG_DIR=$(mktemp -d /tmp/recap-pg.XXXXXX)
  local run=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
    chown postgres "$RECAP_PG_DIR"
    run=(runuser -u postgres --)
  fi
  RECAP_PG_STOP=("${run[@]}" "$bindir/pg_ctl" -D "$RECAP_PG_DIR/data" -m immediate stop)
  "${run[@]}" "$bindir/initdb" -D "$RECAP_PG_DIR/data" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
  "${run[@]}" "$bindir/pg_ctl" -D "$RECAP_PG_DIR/data" -l "$RECAP_PG_DIR/log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $RECAP_PG_DIR -c fsync=off" start >/dev/null
  export RECAP_TEST_PG="postgresql://postgres@127.0.0.1:$port/postgres"
  trap recap_pg_stop EXIT
}

recap_pg_stop() {
  if [ -n "${RECAP_PG_DIR:-}" ]; then
    "${RECAP_PG_STOP[@]}" >/dev/null 2>&1 || true
    rm -rf "$RECAP_PG_DIR"
    RECAP_PG_DIR=
  fi
}
