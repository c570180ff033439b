# shellcheck shell=bash
# localstack service "s3": sourced by lib.sh; up_s3 starts it.
#
# Versity Gateway (versitygw, Apache-2.0): an S3 server written in Go, built
# with `go install` from the Go module proxy, serving the posix backend on a
# directory of the stack (one sub-directory per bucket). Not MinIO (AGPL).
register_service s3 versitygw s3

S3_PORT=7070
S3_VERSION=v1.8.0
S3_ACCESS_KEY=ferry-access-key
S3_SECRET_KEY=ferry-secret-key
S3_REGION=us-east-1

s3_ready() {
  # Any HTTP answer (403 for an unsigned request) means the gateway serves.
  [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$S3_PORT/") != 000 ]]
}

up_s3() {
  if port_open "$S3_PORT"; then
    log "s3: already running on 127.0.0.1:$S3_PORT"
  else
    need_cmd curl curl
    local bin="$STACK_DIR/bin/versitygw" stamp="$STACK_DIR/bin/versitygw.version"
    if [[ ! -x $bin ]] || [[ $(cat "$stamp" 2>/dev/null) != "$S3_VERSION" ]]; then
      command -v go >/dev/null || die "s3: go is needed to build versitygw"
      log "s3: building versitygw $S3_VERSION (go install; a few minutes on first run)"
      local ilog="$STACK_DIR/log/s3-install.log"
      (cd / && GOBIN="$STACK_DIR/bin" go install \
        "github.com/versity/versitygw/cmd/versitygw@$S3_VERSION") >"$ilog" 2>&1 9>&- \
        || { tail -n 20 "$ilog" >&2; die "s3: go install failed, see $ilog"; }
      echo "$S3_VERSION" >"$stamp"
    fi
    local root="$STACK_DIR/s3/data" meta="$STACK_DIR/s3/meta"
    mkdir -p "$root" "$meta"
    log "s3: starting versitygw (posix backend on $root) on 127.0.0.1:$S3_PORT"
    # --sidecar keeps object metadata in files, so the data directory needs no
    # extended-attribute support (overlay and tmpfs file systems lack it).
    spawn s3 "$bin" --access "$S3_ACCESS_KEY" --secret "$S3_SECRET_KEY" \
      --region "$S3_REGION" --port "127.0.0.1:$S3_PORT" \
      posix --sidecar "$meta" "$root"
    wait_ready s3 "$STACK_DIR/log/s3.out" s3_ready
  fi
  emit S3_ENDPOINT "http://127.0.0.1:$S3_PORT"
  emit AWS_ACCESS_KEY_ID "$S3_ACCESS_KEY"
  emit AWS_SECRET_ACCESS_KEY "$S3_SECRET_KEY"
  emit AWS_REGION "$S3_REGION"
}
