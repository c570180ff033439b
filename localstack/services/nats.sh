# shellcheck shell=bash
# localstack service "nats": sourced by lib.sh; up_nats starts it.
register_service nats nats-server nats

NATS_PORT=4222
NATS_VERSION=v2.15.2

up_nats() {
  if port_open "$NATS_PORT"; then
    log "nats: already running on 127.0.0.1:$NATS_PORT"
  else
    local bin="$STACK_DIR/bin/nats-server"
    if [[ ! -x $bin ]] || [[ $("$bin" --version 2>/dev/null) != *"$NATS_VERSION"* ]]; then
      command -v go >/dev/null || die "nats: go is needed to build nats-server"
      log "nats: building nats-server $NATS_VERSION (go install)"
      local ilog="$STACK_DIR/log/nats-install.log"
      (cd / && GOBIN="$STACK_DIR/bin" go install \
        "github.com/nats-io/nats-server/v2@$NATS_VERSION") >"$ilog" 2>&1 9>&- \
        || { tail -n 20 "$ilog" >&2; die "nats: go install failed, see $ilog"; }
    fi
    mkdir -p "$STACK_DIR/nats"
    log "nats: starting on 127.0.0.1:$NATS_PORT (JetStream)"
    spawn nats "$bin" -a 127.0.0.1 -p "$NATS_PORT" -js -sd "$STACK_DIR/nats" \
      -l "$STACK_DIR/log/nats.log" -P "$STACK_DIR/run/nats.pid"
    wait_ready nats "$STACK_DIR/log/nats.log" port_open "$NATS_PORT"
  fi
  emit NATS_URL "nats://127.0.0.1:$NATS_PORT"
}
