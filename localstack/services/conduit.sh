# shellcheck shell=bash
# localstack service "conduit": sourced by lib.sh; up_conduit installs it.
# Not a server: Conduit (Apache-2.0, github.com/conduitio/conduit), a Go
# data integration tool, built from the Go module proxy into
# $STACK_DIR/conduit as the peer `make bench` measures ferry against
# (BenchmarkPeerConduit). Built inside a throwaway module that requires it,
# because `go install mod@version` also asks the proxy for the module's
# version list, which this machine's proxy refuses. Idempotent: skipped when
# the binary of CONDUIT_VERSION is there. Nothing runs, so `down` has
# nothing to stop.
register_service conduit conduit conduit

CONDUIT_VERSION=v0.14.0

up_conduit() {
  local dir="$STACK_DIR/conduit" bin="$STACK_DIR/conduit/conduit" stamp="$STACK_DIR/conduit/version"
  if [[ -x $bin && -f $stamp && $(<"$stamp") == "$CONDUIT_VERSION" ]]; then
    log "conduit: $CONDUIT_VERSION already built"
  else
    command -v go >/dev/null || die "conduit: go is needed to build Conduit"
    log "conduit: building Conduit $CONDUIT_VERSION from the Go module proxy (several minutes the first time)"
    local src="$dir/src" blog="$STACK_DIR/log/conduit-build.log"
    rm -rf "$src" && mkdir -p "$src"
    (cd "$src" && go mod init ferry-bench-conduit >/dev/null 2>&1 &&
      go mod edit -require="github.com/conduitio/conduit@$CONDUIT_VERSION" &&
      GOFLAGS=-mod=mod go build -o "$bin" github.com/conduitio/conduit/cmd/conduit) >"$blog" 2>&1 9>&- \
      || { tail -n 20 "$blog" >&2; die "conduit: build failed, see $blog"; }
    printf '%s\n' "$CONDUIT_VERSION" >"$stamp"
    log "conduit: built $CONDUIT_VERSION"
  fi
  emit CONDUIT_BIN "$bin"
}
