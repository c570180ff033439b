# shellcheck shell=bash
# localstack service "lambda": sourced by lib.sh; up_lambda starts it.
#
# The AWS Lambda runtime interface emulator (RIE, built with `go install` from
# the Go module proxy) running ferry's Lambda `bootstrap`, built from this
# repository (./functions/lambda, GOOS=linux, -tags lambda.norpc) as `make lambda WITHOUT=`
# builds it for the zip (every optional part in: Avro, Protobuf, Wasm, Redis). The RIE serves one function, named "function", at
# $LAMBDA_ENDPOINT/2015-03-31/functions/function/invocations, one invocation at
# a time, so point `ferry scheduler --dispatch lambda` at it with
# --lambda-function function --lambda-concurrency 1.
#
# The function's environment is fixed here, as a deployed function's is: it
# reads its state from Redis database 9 (LAMBDA_FERRY_STATE) and Kafka from
# 127.0.0.1:9092, so `localstack/up kafka redis` must run first. Its timeout is
# LAMBDA_TIMEOUT seconds (3). When the repository's bootstrap changes, `up`
# rebuilds it and restarts the emulator.
register_service lambda aws-lambda-rie lambda

LAMBDA_PORT=9011
LAMBDA_RUNTIME_API=127.0.0.1:9012
LAMBDA_RIE_VERSION=v0.0.0-20261030222936-bef5c4ba774d
LAMBDA_TIMEOUT=3
LAMBDA_STATE=redis://127.0.0.1:6379/9

lambda_install_rie() {
  local bin="$STACK_DIR/bin/aws-lambda-rie" stamp="$STACK_DIR/lambda/rie.version"
  [[ -x $bin && -f $stamp && $(<"$stamp") == "$LAMBDA_RIE_VERSION" ]] && return 0
  command -v go >/dev/null || die "lambda: go is needed to build aws-lambda-rie"
  log "lambda: building aws-lambda-rie $LAMBDA_RIE_VERSION (go install)"
  local ilog="$STACK_DIR/log/lambda-install.log"
  (cd / && GOBIN="$STACK_DIR/bin" go install \
    "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@$LAMBDA_RIE_VERSION") >"$ilog" 2>&1 9>&- \
    || { tail -n 20 "$ilog" >&2; die "lambda: go install failed, see $ilog"; }
  printf '%s\n' "$LAMBDA_RIE_VERSION" >"$stamp"
}

# lambda_build_bootstrap: build the function binary from the repository.
lambda_build_bootstrap() {
  local repo blog="$STACK_DIR/log/lambda-build.log"
  repo=$(cd "$LOCALSTACK_SRC/.." && pwd)
  log "lambda: building bootstrap from $repo"
  (cd "$repo" && CGO_ENABLED=0 GOOS=linux go build -tags lambda.norpc -trimpath \
    -ldflags "-s -w" -o "$STACK_DIR/lambda/bootstrap.new" ./functions/lambda) >"$blog" 2>&1 9>&- \
    || { tail -n 20 "$blog" >&2; die "lambda: building bootstrap failed, see $blog"; }
}

up_lambda() {
  mkdir -p "$STACK_DIR/lambda"
  lambda_install_rie
  lambda_build_bootstrap
  local boot="$STACK_DIR/lambda/bootstrap" new="$STACK_DIR/lambda/bootstrap.new"
  if port_open "$LAMBDA_PORT" && cmp -s "$new" "$boot"; then
    log "lambda: already running on 127.0.0.1:$LAMBDA_PORT with the current bootstrap"
    rm -f "$new"
  else
    if port_open "$LAMBDA_PORT"; then
      log "lambda: bootstrap changed, restarting the emulator"
      stop_service lambda aws-lambda-rie
    fi
    mv -f "$new" "$boot"
    log "lambda: starting the runtime interface emulator on 127.0.0.1:$LAMBDA_PORT"
    (cd "$STACK_DIR/lambda" && spawn lambda env \
      AWS_LAMBDA_FUNCTION_NAME=ferry AWS_LAMBDA_FUNCTION_TIMEOUT="$LAMBDA_TIMEOUT" \
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE=512 \
      FERRY_STATE="$LAMBDA_STATE" FERRY_BOOTSTRAP_SERVERS=127.0.0.1:9092 FERRY_LOG_LEVEL=warn \
      "$STACK_DIR/bin/aws-lambda-rie" --log-level warn \
      --runtime-interface-emulator-address "127.0.0.1:$LAMBDA_PORT" \
      --runtime-api-address "$LAMBDA_RUNTIME_API" "$boot")
    wait_ready lambda "$STACK_DIR/log/lambda.out" port_open "$LAMBDA_PORT"
  fi
  emit LAMBDA_ENDPOINT "http://127.0.0.1:$LAMBDA_PORT"
  emit LAMBDA_FUNCTION function
  emit LAMBDA_FERRY_STATE "$LAMBDA_STATE"
  emit LAMBDA_TIMEOUT "$LAMBDA_TIMEOUT"
  emit LAMBDA_RIE "$STACK_DIR/bin/aws-lambda-rie"
  emit LAMBDA_BOOTSTRAP "$boot"
}
