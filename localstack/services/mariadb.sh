# shellcheck shell=bash
# localstack service "mariadb": sourced by lib.sh; up_mariadb starts it.
#
# Debian's mariadb-server, run without systemd: mariadb-install-db into the
# stack dir, then mariadbd in the background on 127.0.0.1:3306. User
# ferry/ferry with every privilege, database ferry. Prints MYSQL_URL.
#
# The binary log is on, in the form change data capture needs (log_bin,
# binlog_format=ROW, binlog_row_image=FULL, binlog_row_metadata=FULL so row
# events name their columns, server_id=1, kept one day): the
# Debezium-compatible MySQL/MariaDB connectors read it. A stack instance
# found running with the binary log off (started by an older version of this
# script) is restarted once with it on.
#
# TLS on the same port as plaintext (--ssl-ca/--ssl-cert/--ssl-key from
# db_tls); MariaDB reads them only at start, so an instance found running
# without TLS is left alone with a hint (others' tests use it). Prints
# MYSQL_URL and DB_TLS_DIR.
register_service mariadb mariadbd mariadb

MARIADB_PORT=3306
MARIADB_USER=ferry
MARIADB_PASSWORD=ferry
MARIADB_DB=ferry

# mariadb_admin_user: the account mariadb-install-db gives unix-socket access:
# root when we run as root, else the OS user (--auth-root-socket-user).
mariadb_admin_user() {
  if [[ $(id -u) -eq 0 ]]; then echo root; else id -un; fi
}

mariadb_ready() {
  mariadb-admin --no-defaults --socket="$STACK_DIR/run/mariadb.sock" -u"$(mariadb_admin_user)" status >/dev/null 2>&1
}

mariadb_sql() {
  mariadb --no-defaults --socket="$STACK_DIR/run/mariadb.sock" -u"$(mariadb_admin_user)" "$@"
}

# mariadb_binlog_off: the stack's running instance has its binary log off.
mariadb_binlog_off() {
  [[ $(mariadb_sql -N -e "SELECT @@log_bin" 2>/dev/null) == 0 ]]
}

mariadb_init() {
  local data=$1
  [[ -d $data/mysql ]] && return 0
  log "mariadb: mariadb-install-db $data"
  mariadb-install-db --no-defaults --datadir="$data" --user="$(id -un)" \
    --auth-root-authentication-method=socket --auth-root-socket-user="$(id -un)" --skip-test-db \
    >>"$STACK_DIR/log/mariadb-install.log" 2>&1 \
    || die "mariadb: mariadb-install-db failed, see $STACK_DIR/log/mariadb-install.log"
}

mariadb_setup_user() {
  mariadb --no-defaults --socket="$STACK_DIR/run/mariadb.sock" -u"$(mariadb_admin_user)" <<EOF \
    || die "mariadb: creating user $MARIADB_USER failed"
CREATE DATABASE IF NOT EXISTS $MARIADB_DB;
CREATE USER IF NOT EXISTS '$MARIADB_USER'@'%' IDENTIFIED BY '$MARIADB_PASSWORD';
CREATE USER IF NOT EXISTS '$MARIADB_USER'@'localhost' IDENTIFIED BY '$MARIADB_PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO '$MARIADB_USER'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO '$MARIADB_USER'@'localhost' WITH GRANT OPTION;
FLUSH PRIVILEGES;
EOF
}

up_mariadb() {
  if port_open "$MARIADB_PORT" && pid_of mariadb >/dev/null && mariadb_binlog_off; then
    log "mariadb: restarting with the binary log on (change data capture needs it)"
    stop_service mariadb mariadbd
  fi
  local tls
  tls=$(db_tls)
  if port_open "$MARIADB_PORT"; then
    log "mariadb: already running on 127.0.0.1:$MARIADB_PORT"
    pid_of mariadb >/dev/null && mariadb_sql -e "SET GLOBAL binlog_row_metadata = 'FULL'" 2>/dev/null || true
    if pid_of mariadb >/dev/null && [[ $(mariadb_sql -N -e "SELECT @@have_ssl" 2>/dev/null) == DISABLED ]]; then
      log "mariadb: serves no TLS (started by an older localstack/up); localstack/down mariadb && localstack/up mariadb restarts it with TLS"
    fi
  else
    if ! command -v mariadbd >/dev/null || ! command -v mariadb >/dev/null; then
      apt_install mariadb-server mariadb-client
      # Where the package's scripts started a system server, stop it: the
      # stack's own instance (data under the stack dir) takes the port.
      if port_open "$MARIADB_PORT" && [[ -x /etc/init.d/mariadb ]]; then
        as_root /etc/init.d/mariadb stop >&2 || true
      fi
    fi
    local data="$STACK_DIR/mariadb/data"
    mkdir -p "$data"
    mariadb_init "$data"
    log "mariadb: starting on 127.0.0.1:$MARIADB_PORT"
    spawn mariadb "$(command -v mariadbd)" --no-defaults --datadir="$data" --user="$(id -un)" \
      --bind-address=127.0.0.1 --port="$MARIADB_PORT" --socket="$STACK_DIR/run/mariadb.sock" \
      --pid-file="$STACK_DIR/mariadb/mariadbd.pid" --log-error="$STACK_DIR/log/mariadb.log" \
      --log-bin=mariadb-bin --binlog-format=ROW --binlog-row-image=FULL --binlog-row-metadata=FULL --server-id=1 \
      --expire-logs-days=1 --max-binlog-size=256M --innodb-flush-log-at-trx-commit=2 --innodb-buffer-pool-size=128M \
      --max-connections=200 --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
      --ssl-ca="$tls/ca.pem" --ssl-cert="$tls/server.pem" --ssl-key="$tls/server.key"
    wait_ready mariadb "$STACK_DIR/log/mariadb.log" mariadb_ready
    mariadb_setup_user
  fi
  emit DB_TLS_DIR "$tls"
  emit MYSQL_URL "mysql://$MARIADB_USER:$MARIADB_PASSWORD@127.0.0.1:$MARIADB_PORT/$MARIADB_DB"
}
