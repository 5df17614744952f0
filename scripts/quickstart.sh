#!/usr/bin/env bash
# From a fresh machine to a running server: sets everything up, starts api and worker in the
# background, then runs examples/hello-parameters.ipynb through executeNotebook and prints where
# its HTML snapshot is. Run it again to restart the server with a fresh build.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

export ADMIN_USERNAME="${ADMIN_USERNAME:-admin}"
export ADMIN_PASSWORD="${ADMIN_PASSWORD:-admin-password}"
export PORT="${PORT:-3000}"
export HTTPS_PORT="${HTTPS_PORT:-3443}"
BASE="http://127.0.0.1:${PORT}"
mkdir -p .run

# HTTPS beside HTTP: a real certificate from TLS_CERT_FILE/TLS_KEY_FILE, else a self-signed one kept in .run/tls.
if [ -z "${TLS_CERT_FILE:-}" ]; then
  echo "== TLS certificate (self-signed, kept in .run/tls across restarts)"
  eval "$(bash scripts/tls-cert.sh .run/tls)"
  export TLS_CERT_FILE TLS_KEY_FILE
  echo "certificate: $TLS_CERT_FILE"
  echo "SHA-256 fingerprint: $SHA256_FINGERPRINT"
fi

echo "== starting api and worker (logs in .run/)"
bash scripts/stop.sh >/dev/null 2>&1 || true
nohup node dist/apps/api/main.js >.run/api.log 2>&1 &
echo $! >.run/api.pid
nohup node dist/apps/worker/main.js >.run/worker.log 2>&1 &
echo $! >.run/worker.pid

for _ in $(seq 1 60); do
  curl -fs "$BASE/ready" >/dev/null 2>&1 && break
  sleep 1
done
curl -fs "$BASE/ready" >/dev/null || { echo "the api did not become ready; see .run/api.log" >&2; tail -20 .run/api.log >&2; exit 1; }
echo "api ready at $BASE and https://localhost:${HTTPS_PORT} (ArcGIS clients: portal https://localhost:${HTTPS_PORT})"
curl -fs --cacert "$TLS_CERT_FILE" "https://localhost:${HTTPS_PORT}/sharing/rest/info?f=json" | head -c 300; echo
curl -fs "$BASE/arcgis/manager/" | grep -q 'id="root"' || { echo "the Manager is not served at $BASE/arcgis/manager/" >&2; exit 1; }

json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);const r=process.argv[1].split(".").reduce((o,k)=>o?.[k],v);if(r===undefined){console.error(s);process.exit(1)}console.log(typeof r==="object"?JSON.stringify(r):r)})' "$1"; }

echo "== generateToken"
TOKEN=$(curl -fs -X POST "$BASE/sharing/rest/generateToken" -d "username=$ADMIN_USERNAME" -d "password=$ADMIN_PASSWORD" -d f=json | json token)
echo "token: ${TOKEN:0:16}…"

echo "== addItem examples/hello-parameters.ipynb"
ITEM=$(curl -fs -X POST "$BASE/sharing/rest/content/users/$ADMIN_USERNAME/addItem" -H "Authorization: Bearer $TOKEN" \
  -F type=Notebook -F title="Hello parameters" -F file=@examples/hello-parameters.ipynb -F f=json | json id)
echo "item: $ITEM"
curl -fs "$BASE/sharing/rest/content/items/$ITEM/data?token=$TOKEN" | head -c 120; echo " …"

echo "== executeNotebook with notebookParameters={\"city\":\"Lisbon\",\"days\":3}"
JOB=$(curl -fs -X POST "$BASE/arcgis/admin/notebooks/executeNotebook" -H "Authorization: Bearer $TOKEN" \
  --data-urlencode itemId="$ITEM" --data-urlencode 'notebookParameters={"city":"Lisbon","days":3}' -d updatePortalItem=false -d f=json | json jobId)
echo "job: $JOB"
STATUS=""
for _ in $(seq 1 120); do
  STATUS=$(curl -fs "$BASE/arcgis/admin/system/jobs/$JOB?token=$TOKEN" | json status)
  case "$STATUS" in COMPLETED|FAILED) break ;; esac
  sleep 0.5
done
echo "status: $STATUS"
curl -fs "$BASE/arcgis/admin/system/jobs/$JOB?f=pjson&token=$TOKEN" | json messages
[ "$STATUS" = "COMPLETED" ] || { echo "the example run did not complete; see .run/worker.log" >&2; exit 1; }
echo
echo "HTML snapshot: $BASE/arcgis/admin/system/jobs/$JOB/snapshot?token=$TOKEN"
echo "  e.g. curl -s '$BASE/arcgis/admin/system/jobs/$JOB/snapshot?token=$TOKEN' | grep Lisbon"
echo "Manager (web UI): $BASE/arcgis/manager/ (sign in as $ADMIN_USERNAME)"
echo "The server keeps running (api pid $(cat .run/api.pid), worker pid $(cat .run/worker.pid)); stop it with: bash scripts/stop.sh"
