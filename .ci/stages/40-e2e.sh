#!/usr/bin/env bash
# Browser tests: Debian's Chromium driven by Playwright against a live server (no browser download).
set -euo pipefail
if [[ ! -x /usr/bin/chromium ]]; then
  apt-get update -qq && apt-get install -y -qq chromium
fi
.venv/bin/pytest -m e2e -p no:cacheprovider -q
