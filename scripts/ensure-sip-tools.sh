#!/usr/bin/env bash
# Make the independent SIP stacks the interop tests run against available:
# SIPp (Debian package sip-tester), baresip and sipvicious, installing
# Debian's packages when one is missing. Idempotent: a second run finds them
# and does nothing. Prints why and exits non-zero when it cannot; the interop
# tests then skip with that reason.
set -u
missing=()
command -v sipp >/dev/null 2>&1 || missing+=(sip-tester)
command -v baresip >/dev/null 2>&1 || missing+=(baresip)
command -v sipvicious_svmap >/dev/null 2>&1 || command -v svmap >/dev/null 2>&1 || missing+=(sipvicious)

if [ "${#missing[@]}" -eq 0 ]; then echo "SIP tools present: $(command -v sipp) $(command -v baresip)"; exit 0; fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing ${missing[*]} and cannot install them (needs root and apt-get)" >&2; exit 1
fi
echo "installing ${missing[*]} from Debian packages…" >&2
apt-get update -qq >/dev/null 2>&1 || true
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
  || { echo "apt-get install ${missing[*]} failed" >&2; exit 1; }
command -v sipp >/dev/null 2>&1 || { echo "sip-tester installed but sipp is not on PATH" >&2; exit 1; }
echo "SIP tools present: $(command -v sipp) $(command -v baresip)"
