#!/usr/bin/env bash
# Wall-clock time from a fresh clone to a serving API (README's first command).
# Usage: benchmarks/fresh_clone_to_api.sh [PORT]
# Clones this repository into a temporary folder, runs scripts/run-main there in the
# background, polls /v1/health every 2 s, prints the seconds it took, then stops the server
# and removes the clone. Package downloads are whatever pip's cache holds on this machine.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
port="${1:-8765}"
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
start=$(date +%s)
git clone --quiet "$repo" "$work/clone"
cd "$work/clone"
scripts/run-main --port "$port" > "$work/main.log" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/v1/health" > /dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "error: scripts/run-main exited; log:" >&2
        tail -20 "$work/main.log" >&2
        exit 1
    fi
    if [ $(( $(date +%s) - start )) -gt 1800 ]; then
        echo "error: no answer after 30 min" >&2
        exit 1
    fi
    sleep 2
done
end=$(date +%s)
echo "fresh clone -> serving API: $((end - start)) s ($(nproc) cores, $(date +%Y-%m-%d))"
curl -s "http://127.0.0.1:$port/v1/stats"
echo
