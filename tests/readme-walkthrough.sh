#!/usr/bin/env bash
# Runs the README's walkthrough block exactly as written and checks what a reader would see.
set -euo pipefail
cd "$(dirname "$0")/.."
block=$(awk '/<!-- walkthrough:start -->/{on=1; next} /<!-- walkthrough:end -->/{on=0} on' README.md | sed '/^```/d')
[ -n "$block" ] || { echo "no walkthrough block in README.md"; exit 1; }
out=$(mktemp)
cleanup() { pkill -f 'Coordination.AllInOne' >/dev/null 2>&1 || true; }
trap cleanup EXIT
bash -euo pipefail -c "$block" >"$out" 2>&1 || { echo "walkthrough failed:"; cat "$out"; exit 1; }
check() { grep -q -- "$1" "$out" || { echo "walkthrough output lacks: $1"; cat "$out"; exit 1; }; }
check '"summary":"Priorités de politique pénale 2026."'
check '"status":"met"'
check '"reasonCode":"date-in-future"'
check '"status":403'
check 'HTTP/1.1 401'
echo "README walkthrough: passed"
