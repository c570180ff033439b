# shellcheck shell=bash
# localstack service "chromium": sourced by lib.sh; up_chromium installs it.
# Not a server: Debian's headless-capable `chromium` browser, which the web
# console's end-to-end test (scheduler/console) drives over the DevTools
# protocol (chromedp). Installing is idempotent (skipped when the binary is
# there); nothing is started, so `down` has nothing to stop.
register_service chromium chromium chromium

up_chromium() {
  if command -v chromium >/dev/null; then
    log "chromium: $(chromium --version 2>/dev/null | head -1) already installed"
  else
    log "chromium: installing Debian's chromium (apt, a few minutes the first time)"
    apt_install chromium fonts-dejavu-core
    command -v chromium >/dev/null || die "chromium still missing after apt-get install chromium"
    log "chromium: installed $(chromium --version 2>/dev/null | head -1)"
  fi
  emit CHROMIUM_BIN "$(command -v chromium)"
}
