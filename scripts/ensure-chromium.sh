#!/usr/bin/env bash
# Make Debian's Chromium available to the console's browser tests, installing
# the package when it is missing. Idempotent: a second run finds it and does
# nothing. Prints why and exits non-zero when it cannot; the browser tests
# then skip with that reason.
set -u
BIN=/usr/bin/chromium
if [ -x "$BIN" ]; then echo "Chromium present: $($BIN --version 2>/dev/null)"; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "no $BIN and cannot install it (needs root and apt-get)" >&2; exit 1
fi
echo "installing chromium from Debian packages…" >&2
apt-get update -qq >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null 2>&1 \
  || { echo "apt-get install chromium failed" >&2; exit 1; }
[ -x "$BIN" ] || { echo "chromium installed but $BIN is missing" >&2; exit 1; }
echo "Chromium present: $($BIN --version 2>/dev/null)"
