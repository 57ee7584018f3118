#!/usr/bin/env bash
# Start the local PostgreSQL 15 for the test suite and make sure a login role and a
# database exist for it. Installs Debian's PostgreSQL first on a machine without it.
# Prints the URL to use (MDMHUB_TEST_POSTGRES_URL) on stdout; everything else goes to stderr.
set -euo pipefail

ROLE=${MDMHUB_PG_ROLE:-mdmhub}
PASSWORD=${MDMHUB_PG_PASSWORD:-mdmhub}
DATABASE=${MDMHUB_PG_DATABASE:-mdmhub_test}
PORT=${MDMHUB_PG_PORT:-5432}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { as_root su postgres -c "$1"; }

if ! command -v pg_ctlcluster >/dev/null 2>&1 || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "installing PostgreSQL from Debian's packages" >&2
    as_root apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >&2
fi

version=$(ls /usr/lib/postgresql | sort -n | tail -n 1)
if ! pg_lsclusters -h | grep -q "^$version main"; then
    as_root pg_createcluster "$version" main >&2
fi
if ! pg_lsclusters -h | grep "^$version main" | grep -q online; then
    as_root pg_ctlcluster "$version" main start >&2
fi
for _ in $(seq 1 30); do
    pg_isready -q -h localhost -p "$PORT" && break
    sleep 1
done
pg_isready -h localhost -p "$PORT" >&2

as_postgres "psql -p $PORT -qtAc \"SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'\"" | grep -q 1 \
    || as_postgres "psql -p $PORT -qc \"CREATE ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD'\"" >&2
as_postgres "psql -p $PORT -qtAc \"SELECT 1 FROM pg_database WHERE datname = '$DATABASE'\"" | grep -q 1 \
    || as_postgres "createdb -p $PORT -O $ROLE $DATABASE" >&2

echo "postgresql+psycopg://$ROLE:$PASSWORD@localhost:$PORT/$DATABASE"
