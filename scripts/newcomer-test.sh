#!/usr/bin/env bash
# The newcomer test: take examples/ivr, install this package into it the way
# a user does (the `npm pack` tarball) and run its tests. Skipped, saying so,
# only when the npm registry cannot be reached (the example's own
# dependencies come from it). RUNNERS="node vitest jest" picks the runners.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runners="${RUNNERS:-node}"
registry="$(npm config get registry)"
if ! curl -fsS --max-time 10 -o /dev/null "${registry%/}/plivo"; then
  echo "newcomer test SKIPPED: the npm registry ($registry) cannot be reached" >&2
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$root" && npm pack --silent --pack-destination "$work" >/dev/null)
cp -r "$root/examples/ivr" "$work/app"
cd "$work/app"
rm -rf node_modules package-lock.json
# As a user would: the app's own dependencies, then the tarball (no warnings expected).
npm install --no-audit --no-fund --loglevel=warn 2>&1 | tee "$work/install.log" | grep -v '^$' || true
npm install --no-audit --no-fund --loglevel=warn --save-dev "$work"/switchboard-*.tgz 2>&1 | tee -a "$work/install.log"
if grep -qi 'warn' "$work/install.log"; then echo "newcomer test: installing printed warnings (above)" >&2; exit 1; fi
for runner in $runners; do
  case "$runner" in
    node) npm test ;;
    vitest) npm install --no-audit --no-fund --loglevel=error --save-dev vitest && npx vitest run test/vitest ;;
    jest) npm install --no-audit --no-fund --loglevel=error --save-dev jest && NODE_OPTIONS=--experimental-vm-modules npx jest test/jest ;;
    *) echo "unknown runner $runner" >&2; exit 2 ;;
  esac
done
echo "newcomer test passed: examples/ivr with the packed package ($runners)"
