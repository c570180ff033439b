# shellcheck shell=bash
# localstack service "postgres": sourced by lib.sh; up_postgres starts it.
#
# Debian's postgresql package, run without systemd: initdb into the stack dir,
# then the postmaster in the background with wal_level=logical (Debezium-style
# change data capture needs it). User ferry/ferry (superuser, replication),
# database ferry. TLS on the same port as plaintext (ssl=on with the server
# certificate of db_tls, turned on by ALTER SYSTEM and a reload, so a running
# cluster gains it without a restart). Prints POSTGRES_URL and DB_TLS_DIR.
register_service postgres postgres postgres

POSTGRES_PORT=5432
POSTGRES_USER=ferry
POSTGRES_PASSWORD=ferry
POSTGRES_DB=ferry

# pg_bin: the directory of the newest installed server's binaries.
pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [[ -n $d && -x $d/postgres ]] && printf '%s\n' "$d"
}

# pg_as_owner CMD...: run CMD as the cluster owner. PostgreSQL refuses to run
# as root, so under root it runs as the package's "postgres" system user.
pg_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- "$@"
  else
    "$@"
  fi
}

# pg_datadir: the cluster directory. It is $STACK_DIR/postgres/data, unless
# the postgres user cannot reach the stack dir (root's home is 0700): then
# $STACK_DIR/postgres/data is a symlink to /var/lib/ferry-stack/postgres,
# wiped whenever the link is made anew (so --purge still empties it).
pg_datadir() {
  local base="$STACK_DIR/postgres"
  mkdir -p "$base"
  if [[ $(id -u) -ne 0 ]] || pg_as_owner test -x "$base"; then
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$base"
    printf '%s\n' "$base/data"
    return
  fi
  local outside=/var/lib/ferry-stack/postgres
  if [[ ! -L $base/data ]]; then
    rm -rf "$outside" "$base/data"
    mkdir -p "$outside"
    ln -s "$outside" "$base/data"
  fi
  chown postgres:postgres "$outside"
  printf '%s\n' "$outside"
}

postgres_ready() {
  "$1/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT"
}

pg_init() {
  local bin=$1 data=$2
  [[ -s $data/PG_VERSION ]] && return 0
  log "postgres: initdb $data"
  pg_as_owner "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >>"$STACK_DIR/log/postgres-install.log" 2>&1 \
    || die "postgres: initdb failed, see $STACK_DIR/log/postgres-install.log"
  cat >>"$data/pg_hba.conf" <<'EOF'
host replication all 127.0.0.1/32 scram-sha-256
host replication all ::1/128 scram-sha-256
EOF
}

pg_setup_user() {
  local bin=$1 sock=$2
  pg_as_owner "$bin/psql" -q -h "$sock" -p "$POSTGRES_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<EOF \
    || die "postgres: creating user $POSTGRES_USER failed"
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$POSTGRES_USER') THEN
    CREATE ROLE $POSTGRES_USER LOGIN SUPERUSER REPLICATION PASSWORD '$POSTGRES_PASSWORD';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE $POSTGRES_DB OWNER $POSTGRES_USER'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$POSTGRES_DB')\gexec
EOF
}

# pg_enable_tls: the running cluster serves TLS (its ssl is on), with the
# server certificate of db_tls copied into the cluster directory (the key
# must belong to the cluster's owner, mode 0600). Plaintext keeps working.
pg_enable_tls() {
  local bin data sock tls
  bin=$(pg_bin) || return 0
  data=$(pg_datadir)
  sock="$(dirname "$data")/socket"
  local ssl
  ssl=$(pg_as_owner "$bin/psql" -qAt -h "$sock" -p "$POSTGRES_PORT" -U postgres -d postgres -c 'SHOW ssl' 2>/dev/null) || return 0
  tls=$(db_tls)
  # Nothing to do when TLS is on with db_tls's current certificate.
  [[ $ssl == on ]] && cmp -s "$tls/server.pem" "$data/ferry-server.crt" && return 0
  log "postgres: turning TLS on (ssl=on, reloaded; plaintext connections keep working)"
  install -m 0644 "$tls/server.pem" "$data/ferry-server.crt"
  install -m 0600 "$tls/server.key" "$data/ferry-server.key"
  [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$data/ferry-server.crt" "$data/ferry-server.key"
  pg_as_owner "$bin/psql" -q -h "$sock" -p "$POSTGRES_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 >/dev/null <<'EOF2' \
    || die "postgres: turning TLS on failed"
ALTER SYSTEM SET ssl_cert_file = 'ferry-server.crt';
ALTER SYSTEM SET ssl_key_file = 'ferry-server.key';
ALTER SYSTEM SET ssl = on;
SELECT pg_reload_conf();
EOF2
}

up_postgres() {
  local bin
  if port_open "$POSTGRES_PORT"; then
    log "postgres: already running on 127.0.0.1:$POSTGRES_PORT"
  else
    if ! bin=$(pg_bin); then
      apt_install postgresql postgresql-client
      bin=$(pg_bin) || die "postgres: no server binaries after install"
      # Where the package's scripts started the system cluster, stop it: the
      # stack's own cluster (data under the stack dir) takes the port.
      if port_open "$POSTGRES_PORT" && [[ -x /etc/init.d/postgresql ]]; then
        as_root /etc/init.d/postgresql stop >&2 || true
      fi
    fi
    local data sock
    data=$(pg_datadir)
    sock="$(dirname "$data")/socket" # beside the cluster: the postgres user can reach it
    mkdir -p "$sock"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$sock"
    pg_init "$bin" "$data"
    log "postgres: starting on 127.0.0.1:$POSTGRES_PORT (wal_level=logical)"
    # spawn's process execs setpriv, which execs the postmaster: the pid file names it.
    local owner=()
    [[ $(id -u) -eq 0 ]] && owner=(setpriv --reuid=postgres --regid=postgres --init-groups --)
    spawn postgres "${owner[@]}" "$bin/postgres" -D "$data" -k "$sock" -h 127.0.0.1 -p "$POSTGRES_PORT" \
      -c wal_level=logical -c max_replication_slots=32 -c max_wal_senders=32 \
      -c max_connections=200 -c fsync=off -c full_page_writes=off -c synchronous_commit=off \
      -c logging_collector=off -c log_min_messages=warning -c shared_buffers=128MB
    wait_ready postgres "$STACK_DIR/log/postgres.out" postgres_ready "$bin"
    pg_setup_user "$bin" "$sock"
  fi
  pg_enable_tls
  emit DB_TLS_DIR "$(db_tls)"
  emit POSTGRES_URL "postgres://$POSTGRES_USER:$POSTGRES_PASSWORD@127.0.0.1:$POSTGRES_PORT/$POSTGRES_DB"
}
