#!/usr/bin/env bash
# Make a local PostgreSQL available to the test suite, installing and
# starting Debian's package when none is reachable. Idempotent: a second run
# finds the server up and does nothing. On success the last line printed is
# the connection URL; on failure it prints why and exits non-zero, and the
# PostgreSQL half of the tests is skipped with that reason.
set -u
URL="${TEST_DATABASE_URL:-postgres://switchboard:switchboard@127.0.0.1:5432/switchboard_test}"
here="$(cd "$(dirname "$0")" && pwd)"

reachable() { node "$here/pg-ping.mjs" "$URL" >/dev/null 2>&1; }

if reachable; then echo "$URL"; exit 0; fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "no PostgreSQL reachable at $URL and cannot install one (needs root and apt-get)" >&2; exit 1
  fi
  echo "installing PostgreSQL from Debian packages…" >&2
  apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 \
    || { echo "apt-get install postgresql failed" >&2; exit 1; }
fi

version="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
if ! pg_lsclusters -h 2>/dev/null | awk '{print $1" "$2}' | grep -qx "$version main"; then
  pg_createcluster "$version" main >/dev/null 2>&1 || { echo "pg_createcluster failed" >&2; exit 1; }
fi
pg_ctlcluster "$version" main start >/dev/null 2>&1 || true

for _ in $(seq 1 30); do
  su postgres -c "psql -qtAc 'select 1'" >/dev/null 2>&1 && break
  sleep 1
done
su postgres -c "psql -qtAc \"select 1 from pg_roles where rolname='switchboard'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"create role switchboard login superuser password 'switchboard'\"" >/dev/null
su postgres -c "psql -qtAc \"select 1 from pg_database where datname='switchboard_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O switchboard switchboard_test" >/dev/null

if reachable; then echo "$URL"; exit 0; fi
echo "PostgreSQL was started but $URL is still not reachable" >&2
exit 1
