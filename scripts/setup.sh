#!/usr/bin/env bash
# Sets up a machine from scratch: Node packages, PostgreSQL and Redis, the Docker engine, the runner images, Chromium, the build.
# Safe to run again: each step skips what is already done.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== npm packages"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # npm 11 can write a lock file without some optional per-platform packages (msgpackr-extract's)
  # and then refuse it in `npm ci`; installing from package.json is the fallback.
  npm ci --no-audit --no-fund || npm install --no-audit --no-fund
fi
echo "== PostgreSQL and Redis"
bash scripts/ensure-services.sh
echo "== Docker engine"
bash scripts/docker/setup-docker.sh
echo "== runner images (runtimes)"
bash scripts/docker/build-runner-offline.sh                      # minimal: nbautomation/runner:latest
bash scripts/docker/build-runner-offline.sh --runtime standard   # + the data stack: nbautomation/runner-standard:latest
echo "== Chromium (the Manager's browser tests)"
bash scripts/install-chromium.sh
echo "== build"
npm run build
