#!/usr/bin/env bash
# The console's browser tests (test/e2e/console.e2e.test.ts) drive Debian's Chromium through
# playwright-core (no browser download). This installs it when it is missing; CI calls it before
# `npm test`. Set CHROMIUM_PATH to use another Chromium-based browser instead.
set -euo pipefail

if [ -n "${CHROMIUM_PATH:-}" ] && [ -x "${CHROMIUM_PATH}" ]; then
  echo "ensure-chromium: using CHROMIUM_PATH=${CHROMIUM_PATH}"
  exit 0
fi
if command -v chromium >/dev/null 2>&1; then
  echo "ensure-chromium: $(command -v chromium) is installed"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: no chromium on PATH and no apt-get to install it; install Chromium and set CHROMIUM_PATH" >&2
  exit 1
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "ensure-chromium: installing Debian's chromium package"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium
command -v chromium
