#!/usr/bin/env bash
# Quick start: install the npm dependencies, build, and run the API server on its embedded defaults
# (SQLite in ./data, http://127.0.0.1:6443, auth backend "null" = development only). Extra arguments go to
# `hil-admin serve` (e.g. --listen 0.0.0.0:6443, --config hil.cfg, --database-uri postgresql://…).
set -euo pipefail
cd "$(dirname "$0")/.."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<18)) { console.error("Node.js >= 20.18 is needed, this is "+process.version); process.exit(1) }'
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "up: installing npm dependencies (compiling better-sqlite3 takes about a minute)…" >&2
  npm ci --no-audit --no-fund
fi
echo "up: building…" >&2
npm run --silent build
# The address to suggest: the last --listen given (HOST:PORT, or PORT alone), else the default.
listen=127.0.0.1:6443
prev=
for a in "$@"; do
  case "$a" in --listen=*) listen=${a#--listen=} ;; esac
  [ "$prev" = --listen ] && listen=$a
  prev=$a
done
case "$listen" in *:*) ;; *) listen=127.0.0.1:$listen ;; esac
host=${listen%:*}
case "$host" in ''|0.0.0.0) host=127.0.0.1 ;; '[::]') host='[::1]' ;; esac
echo "up: starting the API server and the controllers; try: kubectl --server=http://$host:${listen##*:} apply -f manifests/examples/" >&2
echo "up: the web console: http://$host:${listen##*:}/ui/" >&2
exec node dist/cmd/hil-admin.js serve --controllers "$@"
