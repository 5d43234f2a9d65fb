#!/usr/bin/env bash
# The newcomer test: take examples/ivr, install this package into it the way
# a user does (the `npm pack` tarball) and run its tests; under vitest and
# jest, the kit's own tests (test/sdk/kit/) run there too, and on Linux the
# check that the kit's child-mode server dies with a killed test process.
# Skipped, saying so, only when the npm registry cannot be reached (the
# example's own dependencies come from it).
#
# RUNNERS="node vitest jest" picks the runners (default: all three; .ci/run
# says which CI runs). Installs prefer npm's cache (--prefer-offline), and the
# native SQLite binding this checkout already built is offered to the
# install as the prebuilt binary a user downloads (its download host is
# unreachable here: without it every run compiles SQLite for minutes).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runners="${RUNNERS:-node vitest jest}"
registry="$(npm config get registry)"
if ! curl -fsS --max-time 10 -o /dev/null "${registry%/}/plivo"; then
  echo "newcomer test SKIPPED: the npm registry ($registry) cannot be reached" >&2
  exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
npm_install() { npm install --prefer-offline --no-audit --no-fund "$@"; }

# better-sqlite3's install looks for its prebuilt binary in npm's cache
# (prebuild-install) before downloading it: put this checkout's build there.
sqlite="$root/node_modules/better-sqlite3"
if [ -f "$sqlite/build/Release/better_sqlite3.node" ]; then
  cached="$(cd "$sqlite" && node -e "
    const rc = require('prebuild-install/rc'), util = require('prebuild-install/util'), pkg = require('./package.json');
    console.log(util.cachedPrebuild(util.getDownloadUrl({ ...rc(pkg), pkg })));" 2>/dev/null || true)"
  if [ -n "$cached" ] && [ ! -f "$cached" ]; then
    mkdir -p "$(dirname "$cached")"
    tar -czf "$cached.$$.tmp" -C "$sqlite" build/Release/better_sqlite3.node && mv "$cached.$$.tmp" "$cached"
  fi
fi

(cd "$root" && npm pack --silent --pack-destination "$work" >/dev/null)
cp -r "$root/examples/ivr" "$work/app"
cd "$work/app"
rm -rf node_modules package-lock.json
# As a user would: the app's own dependencies, then the tarball (no warnings expected).
npm_install --loglevel=warn 2>&1 | tee "$work/install.log" | grep -v '^$' || true
npm_install --loglevel=warn --save-dev "$work"/switchboard-*.tgz 2>&1 | tee -a "$work/install.log"
if grep -qi 'warn' "$work/install.log"; then echo "newcomer test: installing printed warnings (above)" >&2; exit 1; fi

# The runners the example does not depend on, in one install.
extra=()
for runner in $runners; do
  case "$runner" in
    node) ;;
    vitest | jest) extra+=("$runner") ;;
    *) echo "unknown runner $runner" >&2; exit 2 ;;
  esac
done
if [ ${#extra[@]} -gt 0 ]; then npm_install --loglevel=error --save-dev "${extra[@]}"; fi

for runner in $runners; do
  case "$runner" in
    node) npm test ;;
    vitest | jest)
      # Beside the example's own tests, where the runner's config finds them.
      cp "$root/test/sdk/kit/suite.mjs" "test/$runner/suite.mjs"
      cp "$root/test/sdk/kit/$runner.test.mjs" "test/$runner/kit.test.mjs"
      npm run "test:$runner"
      ;;
  esac
done
# A server the installed kit runs as a child (jest's default) dies with a
# test process killed outright (test/sdk/kit/leash.mjs; it reads /proc).
if [ "$(uname)" = Linux ]; then
  cp "$root/test/sdk/kit/leash.mjs" kit-leash.mjs
  node kit-leash.mjs
fi
echo "newcomer test passed: examples/ivr with the packed package ($runners)"
