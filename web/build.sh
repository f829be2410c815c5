#!/usr/bin/env bash
# Builds the web UI's assets into web/dist (or into the directory given) from
# web/src with esbuild: the committed dist/ is what `go build` embeds.
#   web/build.sh          rebuild web/dist
#   web/build.sh --check  rebuild into a temporary directory and fail when
#                         the committed web/dist differs (stale assets)
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x node_modules/.bin/esbuild ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
out=dist
if [ "${1:-}" = "--check" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
rm -f "$out"/app.js "$out"/chunk-*.js
# ES modules, split: the editor (CodeMirror) is a chunk loaded when a view
# needs it.
./node_modules/.bin/esbuild src/main.js --bundle --minify --format=esm --splitting --target=es2020 --legal-comments=none \
  --entry-names=app --chunk-names='chunk-[hash]' --log-level=warning --outdir="$out"
./node_modules/.bin/esbuild src/style.css --minify --log-level=warning --outfile="$out/app.css"
cp src/index.html "$out/index.html"
if [ "${1:-}" = "--check" ]; then
  if ! diff -r "$out" dist >/dev/null; then
    echo "web/dist is stale: run web/build.sh and commit web/dist" >&2
    diff -rq "$out" dist >&2 || true
    exit 1
  fi
  echo "web/dist is up to date"
fi
