# shellcheck shell=bash
# localstack service "prometheus": sourced by lib.sh; up_prometheus starts it.
# The Debian package's server on 127.0.0.1:9090 scrapes the targets listed in
# files under $STACK_DIR/prometheus/targets (file_sd: drop a JSON file there to
# scrape a ferry you run) and evaluates the rules in $STACK_DIR/prometheus/rules.
# Tests that need exact series start a private server from PROMETHEUS_BIN.
register_service prometheus prometheus prometheus

PROMETHEUS_PORT=9090

prometheus_ready() {
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PROMETHEUS_PORT/-/ready") == 200 ]]
}

up_prometheus() {
  local dir="$STACK_DIR/prometheus"
  if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
    apt_install prometheus
    # The package's init script may have started a system server: the
    # stack's own instance (data under the stack dir) takes the port.
    if [[ -x /etc/init.d/prometheus ]]; then
      as_root /etc/init.d/prometheus stop >&2 || true
    fi
  fi
  if port_open "$PROMETHEUS_PORT"; then
    log "prometheus: already running on 127.0.0.1:$PROMETHEUS_PORT"
  else
    mkdir -p "$dir/data" "$dir/targets" "$dir/rules"
    cat >"$dir/prometheus.yml" <<YML
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files: ["$dir/rules/*.yml"]
scrape_configs:
  - job_name: ferry
    file_sd_configs: [{files: ["$dir/targets/*.json"]}]
YML
    log "prometheus: starting on 127.0.0.1:$PROMETHEUS_PORT"
    spawn prometheus prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
      --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --storage.tsdb.retention.time=1d
    wait_ready prometheus "$STACK_DIR/log/prometheus.out" prometheus_ready
  fi
  emit PROMETHEUS_URL "http://127.0.0.1:$PROMETHEUS_PORT"
  emit PROMETHEUS_BIN "$(command -v prometheus)"
  emit PROMTOOL_BIN "$(command -v promtool)"
  emit PROMETHEUS_TARGETS_DIR "$dir/targets"
}
