#!/usr/bin/env bash
# Makes a self-signed certificate for the api's HTTPS port once, in DIR (default .run/tls), and keeps it across
# restarts so clients that trust it keep trusting it. Prints the files and the SHA-256 fingerprint.
# Usage: scripts/tls-cert.sh [DIR]   (a real certificate: set TLS_CERT_FILE and TLS_KEY_FILE instead)
set -euo pipefail
DIR="${1:-$(dirname "$0")/../.run/tls}"
mkdir -p "$DIR"
if ! command -v openssl >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
fi
if [ ! -s "$DIR/cert.pem" ] || [ ! -s "$DIR/key.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 825 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
    -keyout "$DIR/key.pem" -out "$DIR/cert.pem" 2>/dev/null
  chmod 600 "$DIR/key.pem"
fi
echo "TLS_CERT_FILE=$(cd "$DIR" && pwd)/cert.pem"
echo "TLS_KEY_FILE=$(cd "$DIR" && pwd)/key.pem"
openssl x509 -noout -fingerprint -sha256 -in "$DIR/cert.pem" | sed 's/^.*=/SHA256_FINGERPRINT=/'
