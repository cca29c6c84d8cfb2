#!/usr/bin/env bash
# Browser tests: Debian's Chromium driven by Playwright against a live server (no browser download),
# with axe-core (pinned in package-lock.json, installed from the npm registry) checking accessibility.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ ! -x /usr/bin/chromium ]]; then
  apt-get update -qq && apt-get install -y -qq chromium
fi
if ! command -v npm >/dev/null; then
  apt-get update -qq && apt-get install -y -qq npm
fi
npm ci --no-audit --no-fund --loglevel=error
.venv/bin/pytest -m e2e -p no:cacheprovider -q
