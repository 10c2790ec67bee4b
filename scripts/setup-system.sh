#!/usr/bin/env bash
# Install the Debian packages Nachtwacht needs, only those that are missing. Idempotent.
set -euo pipefail
need=()
command -v tor >/dev/null 2>&1 || need+=(tor)
command -v tor-gencert >/dev/null 2>&1 || need+=(tor)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v java >/dev/null 2>&1 || need+=(default-jre-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)  # distributed crawl tests
command -v python3.11 >/dev/null 2>&1 || need+=(python3.11 python3.11-venv)
if [ ${#need[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    SUDO=sudo
else
    SUDO=
fi
echo "setup: installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts a system tor service; Nachtwacht runs its own tor processes.
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now tor >/dev/null 2>&1 || true; fi
# Likewise Redis: tests start their own redis-server on a free loopback port.
if command -v systemctl >/dev/null 2>&1; then $SUDO systemctl disable --now redis-server >/dev/null 2>&1 || true; fi
