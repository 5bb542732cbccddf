# Starts and stops PostgreSQL and Redis on loopback without systemd, for scripts/test and scripts/cluster.
# Sourced, not run. Every function is idempotent: a running engine is left as it is.

apt_install() {
  # The apt lock can be busy (unattended upgrades, another job): retry with a back-off.
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  for attempt in 1 2 3 4 5 6; do
    if $sudo apt-get update -qq -o DPkg::Lock::Timeout=120 && \
       DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=120 "$@" >/dev/null; then
      return 0
    fi
    echo "apt-get install $* failed (attempt $attempt); retrying in $((attempt * 10)) s" >&2
    sleep $((attempt * 10))
  done
  echo "could not install $*" >&2
  return 1
}

# The newest installed PostgreSQL's bin folder; empty when none is installed.
pg_bin() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true
}

ensure_engines() {
  local missing=()
  if [ -z "$(pg_bin)" ]; then missing+=(postgresql); fi
  if ! command -v redis-server >/dev/null 2>&1; then missing+=(redis-server); fi
  if [ ${#missing[@]} -gt 0 ]; then apt_install "${missing[@]}"; fi
}

# as_postgres CMD...: PostgreSQL refuses to run as root; run its tools as the postgres user when we are root.
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# postgres_up DIR PORT [durable]: a cluster in DIR (created once) listening on 127.0.0.1:PORT, user postgres, trust on
# loopback. "durable" keeps PostgreSQL's own defaults (fsync, synchronous commit), as the bench compares it with SQLite's.
postgres_up() {
  local dir=$1 port=$2 durable=${3:-} bin settings
  settings="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  if [ "$durable" = "durable" ]; then settings=""; fi
  bin=$(pg_bin)
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; chmod 700 "$dir"; fi
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_postgres "$bin/initdb" -D "$dir" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if as_postgres "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then return 0; fi
  # fsync off: test and demo clusters on loopback, thrown away; a production server keeps the defaults.
  as_postgres "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=400 $settings" >/dev/null
}

postgres_down() {
  local dir=$1 bin
  bin=$(pg_bin)
  if [ -n "$bin" ] && [ -f "$dir/PG_VERSION" ] && as_postgres "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
    as_postgres "$bin/pg_ctl" -D "$dir" -m fast -w stop >/dev/null
  fi
}

# redis_up DIR PORT
redis_up() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  if redis-cli -p "$port" ping >/dev/null 2>&1; then return 0; fi
  redis-server --port "$port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --dir "$dir" --pidfile "$dir/redis-$port.pid" --logfile "$dir/redis-$port.log"
  for _ in $(seq 1 50); do
    if redis-cli -p "$port" ping >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  echo "redis on port $port did not start" >&2
  return 1
}

redis_down() {
  local port=$1
  redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || true
}
