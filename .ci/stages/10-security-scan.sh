#!/usr/bin/env bash
# Security scans: bandit on product code (medium severity and above fail), and pip-audit of every
# installed package against the vulnerability database snapshot in data/vulndb/ (served by
# .ci/vulndb.py as a local OSV API, since CI cannot reach osv.dev; refresh the snapshot with
# `.venv/bin/python .ci/vulndb.py refresh` where the network allows and commit it).
set -euo pipefail
cd "$(dirname "$0")/../.."

echo "-- bandit (product code, severity medium and above)"
.venv/bin/bandit -q -r config core members webhooks plans reports manage.py --severity-level medium

echo "-- pip-audit against $(.venv/bin/python -c 'import json; print(json.load(open("data/vulndb/SNAPSHOT.json"))["source"])')"
PORT=${VULNDB_PORT:-$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
workdir=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$workdir"
}
trap cleanup EXIT
.venv/bin/python .ci/vulndb.py serve --port "$PORT" >"$workdir/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do
  curl -fsS -o /dev/null -X POST -d '{}' "http://127.0.0.1:$PORT/v1/query" 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$workdir/server.log"; exit 1; }
  sleep 0.1
done
# What is installed, as pip freeze lists it: our pinned requirements and everything they pull in
# (pip freeze leaves out pip and setuptools, the virtualenv's own bootstrap).
.venv/bin/pip freeze --exclude-editable >"$workdir/installed.txt"
.venv/bin/pip-audit -r "$workdir/installed.txt" --no-deps --disable-pip \
  --vulnerability-service osv --osv-url "http://127.0.0.1:$PORT/v1/query" \
  --cache-dir "$workdir/cache" --progress-spinner off --strict
