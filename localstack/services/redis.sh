# shellcheck shell=bash
# localstack service "redis": sourced by lib.sh; up_redis starts it.
register_service redis redis-server redis

REDIS_PORT=6379

redis_ready() {
  [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]
}

up_redis() {
  if port_open "$REDIS_PORT"; then
    log "redis: already running on 127.0.0.1:$REDIS_PORT"
  else
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
      apt_install redis-server redis-tools
      # Where the package's init script started a system redis, stop it: the
      # stack's own instance (persistence under the stack dir) takes the port.
      if port_open "$REDIS_PORT" && [[ -x /etc/init.d/redis-server ]]; then
        as_root /etc/init.d/redis-server stop >&2 || true
      fi
    fi
    local dir="$STACK_DIR/redis" pidf="$STACK_DIR/run/redis.pid"
    mkdir -p "$dir"
    rm -f "$pidf"
    log "redis: starting on 127.0.0.1:$REDIS_PORT"
    bash -c "$CLOSE_FDS"'; exec "$@"' redis-server \
      redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes \
      --dir "$dir" --logfile "$STACK_DIR/log/redis.log" --pidfile "$pidf" \
      --save "" --appendonly yes </dev/null >>"$STACK_DIR/log/redis.out" 2>&1 9>&- \
      || die "redis: redis-server failed, see $STACK_DIR/log/redis.out"
    local i
    for i in $(seq 50); do [[ -s $pidf ]] && break; sleep 0.1; done
    wait_ready redis "$STACK_DIR/log/redis.log" redis_ready
  fi
  emit REDIS_URL "redis://127.0.0.1:$REDIS_PORT/0"
}
