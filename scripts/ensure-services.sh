#!/usr/bin/env bash
# Makes sure PostgreSQL (127.0.0.1:5432, trust auth) and Redis (127.0.0.1:6379) answer; starts or installs them if not.
set -euo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "installing PostgreSQL"
    apt_install postgresql
    v=$(ls /etc/postgresql | head -1)
    sed -i -E 's/^(local|host)(\s+all\s+all\s+\S*\s*)(peer|scram-sha-256|md5)$/\1\2trust/' "/etc/postgresql/$v/main/pg_hba.conf"
  fi
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || { echo "PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }

if ! redis_up; then
  command -v redis-server >/dev/null || { echo "installing Redis"; apt_install redis-server; }
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
  for _ in $(seq 1 30); do redis_up && break; sleep 1; done
fi
redis_up || { echo "Redis is not answering on 127.0.0.1:6379" >&2; exit 1; }

# The server's own database (DATABASE_URL, default .../nbautomation): a fresh Postgres has none, and the api only
# migrates a database that exists. Created through the same server and user, from its `postgres` database.
DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/nbautomation}" node -e '
  const { Client } = require("pg");
  const url = new URL(process.env.DATABASE_URL);
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = "/postgres";
  const c = new Client({ connectionString: url.toString() });
  c.connect()
    .then(() => c.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]))
    .then((r) => r.rowCount || c.query(`CREATE DATABASE "${name.replace(/"/g, "\"\"")}"`).then(() => console.log(`created database ${name}`)))
    .then(() => c.end())
    .catch((e) => { console.error(`could not make sure database ${name} exists: ${e.message}`); process.exit(1); });
'
echo "PostgreSQL and Redis are up"
