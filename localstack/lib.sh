# shellcheck shell=bash
# Shared helpers for localstack/up and localstack/down. Sourced, not run.
#
# Layout of the stack directory (FERRY_STACK_DIR, default ~/.cache/ferry-stack):
#   bin/        installed binaries (nats-server)
#   <service>/  installs and data of one service (kafka/libs, kafka/data, redis, nats)
#   log/        one log per service (<service>.log), plus install logs
#   run/        pid files and the lock serialising up/down

STACK_DIR=${FERRY_STACK_DIR:-$HOME/.cache/ferry-stack}
LOCALSTACK_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
READY_TIMEOUT=${FERRY_STACK_TIMEOUT:-90}   # seconds per service
STOP_TIMEOUT=${FERRY_STACK_STOP_TIMEOUT:-30}

# Every service is one file, localstack/services/<name>.sh, which calls
# `register_service NAME PROC DATA` and defines up_<name>. localstack/down stops
# the process named in run/<name>.pid if its command line contains PROC, and
# --purge deletes DATA (under STACK_DIR). Services are known in the order of
# SERVICE_ORDER (down stops them in reverse), then any others alphabetically.
SERVICE_ORDER=(kafka redis nats postgres mariadb s3 elasticsearch schema-registry kafka-connect lambda prometheus hdfs chromium conduit)
KNOWN_SERVICES=()
declare -A SERVICE_PROC=()
declare -A SERVICE_DATA=()

register_service() {
  KNOWN_SERVICES+=("$1")
  SERVICE_PROC[$1]=$2
  SERVICE_DATA[$1]=$3
}

log()  { printf '[localstack] %s\n' "$*" >&2; }
die()  { printf '[localstack] error: %s\n' "$*" >&2; exit 1; }

# Emit one connection setting on stdout (the only thing that goes there).
emit() { printf 'export %s=%q\n' "$1" "$2"; }

stack_init() {
  mkdir -p "$STACK_DIR"/{bin,log,run}
  # One up/down at a time: parallel test packages may all call localstack/up.
  exec 9>"$STACK_DIR/run/lock"
  flock -w 300 9 || die "could not lock $STACK_DIR/run/lock within 300 s"
}

check_service() {
  local s
  for s in "${KNOWN_SERVICES[@]}"; do [[ $s == "$1" ]] && return 0; done
  printf '[localstack] error: unknown service %q; known services: %s\n' \
    "$1" "${KNOWN_SERVICES[*]}" >&2
  exit 2
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# alive PID: the process exists and is not a zombie (PID 1 may not reap here).
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st%% *}
  [[ $st != Z && $st != X ]]
}

pid_of() { # pid_of SERVICE -> pid on stdout if its pid file names a live process
  local f="$STACK_DIR/run/$1.pid" pid
  [[ -s $f ]] || return 1
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] && alive "$pid" || return 1
  printf '%s\n' "$pid"
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo -n "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

# apt_install PKG...: install Debian packages, refreshing the index only when needed.
apt_install() {
  log "installing $* (apt)"
  local alog="$STACK_DIR/log/apt.log"
  export DEBIAN_FRONTEND=noninteractive
  if ! as_root apt-get install -y -q --no-install-recommends "$@" >>"$alog" 2>&1; then
    as_root apt-get update -q >>"$alog" 2>&1 || die "apt-get update failed, see $alog"
    as_root apt-get install -y -q --no-install-recommends "$@" >>"$alog" 2>&1 \
      || die "apt-get install $* failed, see $alog"
  fi
}

# need_cmd CMD PKG: make sure CMD exists, installing Debian package PKG if not.
need_cmd() {
  command -v "$1" >/dev/null && return 0
  apt_install "$2"
  command -v "$1" >/dev/null || die "$1 still missing after installing $2"
}

# Shell code closing every descriptor above 2. Daemons run it before exec so
# they hold none of the caller's pipes (a `$(localstack/up ...)`, make's
# jobserver, a CI runner's log pipe), nor the lock: else readers would wait
# for EOF until the daemon dies.
CLOSE_FDS='for f in /proc/$$/fd/*; do f=${f##*/}; [[ $f -gt 2 ]] && eval "exec $f>&-"; done 2>/dev/null'

# spawn SERVICE CMD...: run CMD detached (own session, no inherited
# descriptors), output to log/SERVICE.out, pid to run/SERVICE.pid.
spawn() {
  local svc=$1; shift
  local pidf="$STACK_DIR/run/$svc.pid" out="$STACK_DIR/log/$svc.out"
  rm -f "$pidf"
  printf -- '--- %s start: %s\n' "$(date -Is)" "$*" >>"$out"
  setsid -f bash -c "$CLOSE_FDS"'; echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' \
    "$pidf" "$@" </dev/null >>"$out" 2>&1
  local i
  for i in $(seq 50); do [[ -s $pidf ]] && return 0; sleep 0.1; done
  die "$svc did not start, see $out"
}

# wait_ready SERVICE LOG CHECK...: poll CHECK until it succeeds; fail fast if the
# process dies, fail after READY_TIMEOUT seconds. LOG is shown on failure.
wait_ready() {
  local svc=$1 logf=$2; shift 2
  local deadline=$((SECONDS + READY_TIMEOUT))
  while ! "$@"; do
    if ! pid_of "$svc" >/dev/null; then
      tail -n 15 "$logf" >&2 2>/dev/null || true
      tail -n 3 "$STACK_DIR/log/$svc.out" >&2 2>/dev/null || true
      die "$svc exited during start-up; logs: $logf $STACK_DIR/log/$svc.out"
    fi
    if ((SECONDS >= deadline)); then
      tail -n 15 "$logf" >&2 2>/dev/null || true
      die "$svc not ready after ${READY_TIMEOUT}s; log: $logf (pid $(pid_of "$svc" || echo ?))"
    fi
    sleep 0.5
  done
}

# stop_service SERVICE PATTERN: TERM the pid-file process (if its command line
# matches PATTERN), wait STOP_TIMEOUT seconds, then KILL.
stop_service() {
  local svc=$1 pattern=$2 pid
  if ! pid=$(pid_of "$svc"); then
    log "$svc: not running"
    rm -f "$STACK_DIR/run/$svc.pid"
    return 0
  fi
  if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pattern"; then
    log "$svc: pid $pid is not $pattern (stale pid file), leaving it alone"
    rm -f "$STACK_DIR/run/$svc.pid"
    return 0
  fi
  log "$svc: stopping pid $pid"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while alive "$pid"; do
    if ((SECONDS >= deadline)); then
      log "$svc: still running after ${STOP_TIMEOUT}s, killing"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$STACK_DIR/run/$svc.pid"
  log "$svc: stopped"
}

# Load every service file, in SERVICE_ORDER first.
load_services() {
  local s f
  for s in "${SERVICE_ORDER[@]}"; do
    f="$LOCALSTACK_SRC/services/$s.sh"
    # shellcheck source=/dev/null
    [[ -f $f ]] && source "$f"
  done
  for f in "$LOCALSTACK_SRC"/services/*.sh; do
    s=$(basename "$f" .sh)
    [[ -n ${SERVICE_PROC[$s]+x} ]] && continue
    # shellcheck source=/dev/null
    source "$f"
  done
}
load_services

# db_tls: the TLS material the database services (postgres, mariadb) serve
# and their tests read, in $STACK_DIR/dbtls: a test CA (ca.pem), the
# server's certificate for localhost and 127.0.0.1 (server.pem, server.key),
# a client certificate (client.pem, client.key, client.p12 with password
# changeit) and an untrusted CA (other-ca.pem). Made once (openssl); the CA
# lives 10 years. Prints the directory.
db_tls() {
  local d="$STACK_DIR/dbtls"
  if [[ ! -f $d/other-ca.pem ]]; then
    need_cmd openssl openssl
    log "dbtls: generating the database test CA and certificates in $d"
    rm -rf "$d" && mkdir -p "$d"
    (
      cd "$d"
      printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' >ext.cnf
      openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 -subj "/CN=ferry database test CA"
      local n
      for n in server client; do
        openssl req -newkey rsa:2048 -nodes -keyout "$n.key" -out "$n.csr" -subj "/CN=ferry-db-$n"
        openssl x509 -req -in "$n.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 -extfile ext.cnf -out "$n.pem"
      done
      openssl pkcs12 -export -in client.pem -inkey client.key -certfile ca.pem -name client -passout pass:changeit -out client.p12
      openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.pem -days 3650 -subj "/CN=other CA"
      chmod 0644 ./*.pem ./*.p12 && chmod 0600 ./*.key
    ) >"$STACK_DIR/log/dbtls.log" 2>&1 || { rm -rf "$d"; die "dbtls: certificate generation failed, see $STACK_DIR/log/dbtls.log"; }
  fi
  printf '%s\n' "$d"
}
