#!/usr/bin/env bash
# Stops the api and worker started by scripts/quickstart.sh.
cd "$(dirname "$0")/.."
for app in api worker; do
  if [ -f ".run/$app.pid" ]; then
    kill "$(cat ".run/$app.pid")" 2>/dev/null && echo "stopped $app"
    rm -f ".run/$app.pid"
  fi
done
