#!/usr/bin/env bash
# Integration tests: a real Redis broker, a real Celery worker process, a local SMTP server.
set -euo pipefail
.venv/bin/pytest -m integration -p no:cacheprovider -q
