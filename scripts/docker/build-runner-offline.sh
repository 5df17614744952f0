#!/usr/bin/env bash
# Build a notebook runner image (a runtime) WITHOUT a container registry.
#
#   scripts/docker/build-runner-offline.sh [--runtime minimal|standard] [--force] [--refresh-rootfs] [TAG]
#
# The root filesystem is made with debootstrap from the Debian mirror this
# machine's apt already uses, the Python/Jupyter packages are installed into it
# with apt in a chroot, runner/nbrunner/ and runner/nbautomation/ are copied to
# /opt, and the result is `docker import`ed with the same
# USER/WORKDIR/ENV/ENTRYPOINT as runner/Dockerfile (minimal) or
# runner/standard.Dockerfile (standard).
#
# Runtimes:
#   minimal   (default) nbclient, ipykernel, nbconvert and the runner
#   standard  the minimal rootfs (cached) + Debian's data stack: numpy, pandas,
#             matplotlib, scipy, requests, openpyxl, lxml, shapely, pyproj, geopandas
#
# TAG: first positional argument, else $RUNNER_IMAGE (minimal) /
#      $RUNNER_STANDARD_IMAGE (standard), else nbautomation/runner:latest /
#      nbautomation/runner-standard:latest
# --force           rebuild even if TAG already exists
# --refresh-rootfs  ignore the cached rootfs tarballs (e.g. to pick up security updates)
#
# Environment:
#   RUNNER_IMAGE, RUNNER_STANDARD_IMAGE   default tags
#   DEBIAN_MIRROR            Debian mirror URL (default: parsed from apt sources,
#                            fallback http://deb.debian.org/debian)
#   DEBIAN_SECURITY_MIRROR   security mirror (default: parsed, fallback
#                            http://deb.debian.org/debian-security)
#   NBA_CACHE_DIR            cache directory (default /var/cache/nbautomation)
#   DEBIAN_SUITE             default bookworm
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
NBRUNNER_SRC="$REPO_ROOT/runner/nbrunner"

# Bump when the rootfs recipe below changes (invalidates the cached tarball).
RECIPE_VERSION=3
SUITE="${DEBIAN_SUITE:-bookworm}"
CACHE_DIR="${NBA_CACHE_DIR:-/var/cache/nbautomation}"
# python3-nbclient/-ipykernel/-nbconvert pull in nbformat, jupyter-client,
# jupyter-core, the lab/classic HTML templates (vendored, no CDN) and pygments.
# gdb-minimal satisfies python3-pydevd's "gdb | gdb-minimal" dependency
# without the ~40 MB full gdb (and its libpython/boost/source-highlight).
PACKAGES=(python3-nbclient python3-ipykernel python3-nbconvert gdb-minimal)
# The standard runtime: installed on top of the minimal rootfs (so its build
# reuses the minimal one's cache). All are in bookworm main (`apt-cache policy`).
STANDARD_PACKAGES=(python3-numpy python3-pandas python3-matplotlib python3-scipy python3-requests
  python3-openpyxl python3-lxml python3-shapely python3-pyproj python3-geopandas)
STANDARD_RECIPE_VERSION=1

log() { printf '[build-runner] %s\n' "$*"; }
die() { printf '[build-runner] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1fs", b-a}'; }

FORCE=0
REFRESH=0
TAG=""
RUNTIME=minimal
while [ "$#" -gt 0 ]; do
  arg="$1"; shift
  case "$arg" in
    --force) FORCE=1 ;;
    --refresh-rootfs) REFRESH=1; FORCE=1 ;;
    --runtime) [ "$#" -gt 0 ] || die "--runtime needs a value"; RUNTIME="$1"; shift ;;
    --runtime=*) RUNTIME="${arg#--runtime=}" ;;
    -h|--help) sed -n '2,37p' "$0"; exit 0 ;;
    -*) die "unknown option: $arg" ;;
    *) [ -z "$TAG" ] || die "more than one TAG given"; TAG="$arg" ;;
  esac
done
case "$RUNTIME" in
  minimal) TAG="${TAG:-${RUNNER_IMAGE:-nbautomation/runner:latest}}"; TITLE=nbautomation-runner ;;
  standard) TAG="${TAG:-${RUNNER_STANDARD_IMAGE:-nbautomation/runner-standard:latest}}"; TITLE=nbautomation-runner-standard ;;
  *) die "unknown runtime '$RUNTIME' (known: minimal, standard)" ;;
esac
NBAUTOMATION_SRC="$REPO_ROOT/runner/nbautomation"

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot, docker)"
[ -d "$NBRUNNER_SRC" ] || die "missing $NBRUNNER_SRC"
[ -d "$NBAUTOMATION_SRC" ] || die "missing $NBAUTOMATION_SRC"
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"

T_ALL="$(now)"

# ------------------------------------------------------------------ docker
if ! command -v docker >/dev/null 2>&1 || ! timeout 10 docker info >/dev/null 2>&1; then
  log "docker daemon not answering: running setup-docker.sh"
  bash "$SCRIPT_DIR/setup-docker.sh"
fi

# What the image is made of: the recipe and the runner's sources. An image whose label matches is
# up to date; one built from other sources (an older checkout) is rebuilt, from the cached rootfs.
SOURCE_HASH="$(
  { printf '%s|%s|%s|%s|%s\n' "$RECIPE_VERSION" "$STANDARD_RECIPE_VERSION" "$RUNTIME" "${PACKAGES[*]}" "${STANDARD_PACKAGES[*]}"
    cd "$REPO_ROOT/runner" && find nbrunner nbautomation -type f -name '*.py' | LC_ALL=C sort | xargs sha256sum; } | sha256sum | cut -c1-16
)"
if [ "$FORCE" = 0 ] && docker image inspect "$TAG" >/dev/null 2>&1; then
  have="$(docker image inspect -f '{{ index .Config.Labels "org.nbautomation.source" }}' "$TAG" 2>/dev/null || true)"
  if [ "$have" = "$SOURCE_HASH" ]; then
    log "image $TAG is up to date ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}')); skipping (use --force to rebuild)"
    exit 0
  fi
  log "image $TAG was built from other sources (${have:-unlabelled}); rebuilding"
fi

# ------------------------------------------------------------------ mirror
# First URI of an enabled deb822 stanza (Types: deb) whose Suites include $1.
deb822_uri() {
  local suite="$1" f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$suite" '
      BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^[ \t]*#/) continue
          p = index(line, ":"); if (p == 0) continue
          key = tolower(substr(line, 1, p - 1)); val = substr(line, p + 1)
          gsub(/^[ \t]+|[ \t]+$/, "", key); gsub(/^[ \t]+|[ \t]+$/, "", val)
          if (key == "types") types = val
          else if (key == "uris") uris = val
          else if (key == "suites") suites = val
          else if (key == "enabled") enabled = tolower(val)
        }
        if ((" " types " ") ~ / deb / && enabled != "no" && (" " suites " ") ~ (" " suite " ")) {
          n = split(uris, u, /[ \t]+/)
          for (j = 1; j <= n; j++) if (u[j] ~ /^https?:\/\//) { print u[j]; exit }
        }
      }' "$f"
  done | head -n 1
}

# First URI of a one-line "deb [opts] URI SUITE ..." entry for suite $1.
oneline_uri() {
  local suite="$1" f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
      awk -v suite="$suite" '$1 == "deb" && $3 == suite && $2 ~ /^https?:\/\// { print $2; exit }'
  done | head -n 1
}

detect_mirror() {
  local suite="$1" fallback="$2" uri
  uri="$(deb822_uri "$suite")"
  [ -n "$uri" ] || uri="$(oneline_uri "$suite")"
  [ -n "$uri" ] || uri="$fallback"
  printf '%s\n' "${uri%/}"
}

MIRROR="${DEBIAN_MIRROR:-$(detect_mirror "$SUITE" http://deb.debian.org/debian)}"
SECURITY_MIRROR="${DEBIAN_SECURITY_MIRROR:-$(detect_mirror "$SUITE-security" http://deb.debian.org/debian-security)}"
ARCH="$(dpkg --print-architecture 2>/dev/null || echo amd64)"
log "runtime=$RUNTIME tag=$TAG suite=$SUITE arch=$ARCH mirror=$MIRROR security=$SECURITY_MIRROR"

# ------------------------------------------------------------------ workspace
mkdir -p "$CACHE_DIR/debs"
KEY="$(printf '%s|%s|%s|%s' "$RECIPE_VERSION" "$SUITE" "$ARCH" "${PACKAGES[*]}" | sha256sum | cut -c1-16)"
ROOTFS_TAR="$CACHE_DIR/runner-rootfs-$SUITE-$ARCH-$KEY.tar"
STD_KEY="$(printf '%s|%s|%s' "$KEY" "$STANDARD_RECIPE_VERSION" "${STANDARD_PACKAGES[*]}" | sha256sum | cut -c1-16)"
STANDARD_TAR="$CACHE_DIR/runner-standard-rootfs-$SUITE-$ARCH-$STD_KEY.tar"
WORK="$(mktemp -d "$CACHE_DIR/build.XXXXXX")"
ROOT="$WORK/rootfs"

cleanup() {
  local rc=$?
  if [ -n "${ROOT:-}" ]; then
    for m in "$ROOT/proc" "$ROOT/dev/pts"; do
      if mountpoint -q "$m" 2>/dev/null; then umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; fi
    done
  fi
  # Only delete the work dir when nothing is mounted below it any more.
  if [ -n "${WORK:-}" ] && [ -d "$WORK" ] && ! grep -q " $WORK/" /proc/mounts 2>/dev/null; then
    rm -rf "$WORK"
  fi
  exit "$rc"
}
trap cleanup EXIT INT TERM

in_chroot() {
  chroot "$ROOT" /usr/bin/env -i \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

# Slim down: package lists, caches, docs, logs, build-time helpers.
slim_rootfs() {
  rm -f "$ROOT/usr/sbin/policy-rc.d"
  : > "$ROOT/etc/resolv.conf"
  rm -rf "$ROOT"/var/lib/apt/lists/* "$ROOT"/var/cache/apt/* "$ROOT"/var/cache/debconf/*-old \
         "$ROOT"/var/lib/dpkg/*-old "$ROOT"/var/log/* "$ROOT"/tmp/* "$ROOT"/var/tmp/* \
         "$ROOT"/root/.cache "$ROOT"/usr/share/man/* "$ROOT"/usr/share/info/* \
         "$ROOT"/usr/share/locale/* "$ROOT"/usr/share/lintian "$ROOT"/usr/share/linda \
         "$ROOT"/usr/share/groff "$ROOT"/debootstrap
  find "$ROOT/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete 2>/dev/null || true
  find "$ROOT/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  # Docker provides /dev in containers; ship an empty one.
  find "$ROOT/dev" -mindepth 1 -delete
}

build_rootfs() {
  local t
  if ! command -v debootstrap >/dev/null 2>&1; then
    log "installing debootstrap ..."
    DEBIAN_FRONTEND=noninteractive apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      debootstrap debian-archive-keyring
  fi

  t="$(now)"
  log "debootstrap --variant=minbase $SUITE (log: $WORK/debootstrap.log) ..."
  if ! debootstrap --variant=minbase --arch="$ARCH" --cache-dir="$CACHE_DIR/debs" \
      "$SUITE" "$ROOT" "$MIRROR" > "$WORK/debootstrap.log" 2>&1; then
    tail -n 30 "$WORK/debootstrap.log" >&2
    [ -f "$ROOT/debootstrap/debootstrap.log" ] && tail -n 30 "$ROOT/debootstrap/debootstrap.log" >&2
    die "debootstrap failed"
  fi
  log "debootstrap done in $(elapsed "$t")"

  t="$(now)"
  # Like debian:*-slim: never install docs, man pages or translations.
  cat > "$ROOT/etc/dpkg/dpkg.cfg.d/nbautomation-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/groff/*
EOF
  cat > "$ROOT/etc/apt/apt.conf.d/nbautomation" <<'EOF'
APT::Install-Recommends "false";
APT::Install-Suggests "false";
Acquire::Languages "none";
EOF
  cat > "$ROOT/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECURITY_MIRROR $SUITE-security main
EOF
  printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
  chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
  cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
  [ -c "$ROOT/dev/null" ] || { rm -f "$ROOT/dev/null"; mknod -m 666 "$ROOT/dev/null" c 1 3; }
  mount -t proc proc "$ROOT/proc"

  log "apt-get install ${PACKAGES[*]} (log: $WORK/apt.log) ..."
  if ! in_chroot sh -ec "
      apt-get update -q
      apt-get -y -q -o Dpkg::Options::=--force-confold dist-upgrade
      apt-get -y -q install --no-install-recommends ${PACKAGES[*]}
      apt-get -y -q autoremove --purge
      apt-get clean
      useradd --create-home --uid 1000 --user-group --shell /bin/sh runner
      mkdir -p /work
      chown 1000:1000 /work
      chmod 0755 /work
      python3 -c 'import nbclient, nbformat, jupyter_client, ipykernel; from nbconvert import HTMLExporter; HTMLExporter(template_name=\"lab\")'
    " > "$WORK/apt.log" 2>&1; then
    tail -n 40 "$WORK/apt.log" >&2
    die "installing packages in the chroot failed"
  fi
  umount "$ROOT/proc"

  slim_rootfs
  log "packages installed and image slimmed in $(elapsed "$t")"

  t="$(now)"
  tar -C "$ROOT" --numeric-owner -cf "$ROOTFS_TAR.tmp" .
  mv -f "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  # keep only the current cached rootfs
  find "$CACHE_DIR" -maxdepth 1 -name 'runner-rootfs-*.tar' ! -path "$ROOTFS_TAR" -delete 2>/dev/null || true
  log "cached rootfs $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1)) in $(elapsed "$t")"
}

# The standard runtime's packages, installed into the minimal rootfs in $ROOT.
build_standard_rootfs() {
  local t
  t="$(now)"
  cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
  printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
  chmod 0755 "$ROOT/usr/sbin/policy-rc.d"
  mkdir -p "$ROOT/dev"
  [ -c "$ROOT/dev/null" ] || { rm -f "$ROOT/dev/null"; mknod -m 666 "$ROOT/dev/null" c 1 3; }
  mount -t proc proc "$ROOT/proc"
  log "apt-get install ${STANDARD_PACKAGES[*]} (log: $WORK/apt-standard.log) ..."
  # The font cache matplotlib builds on first import (seconds) is made now, as the runner user.
  if ! in_chroot sh -ec "
      apt-get update -q
      apt-get -y -q install --no-install-recommends ${STANDARD_PACKAGES[*]}
      apt-get -y -q autoremove --purge
      apt-get clean
      su runner -s /bin/sh -c 'HOME=/home/runner MPLBACKEND=agg python3 -c \"import numpy, pandas, scipy, requests, openpyxl, lxml, shapely, pyproj, geopandas; import matplotlib.pyplot\"'
    " > "$WORK/apt-standard.log" 2>&1; then
    tail -n 40 "$WORK/apt-standard.log" >&2
    umount "$ROOT/proc" 2>/dev/null || true
    die "installing the standard runtime's packages in the chroot failed"
  fi
  umount "$ROOT/proc"
  slim_rootfs
  log "standard packages installed in $(elapsed "$t")"
  t="$(now)"
  tar -C "$ROOT" --numeric-owner -cf "$STANDARD_TAR.tmp" .
  mv -f "$STANDARD_TAR.tmp" "$STANDARD_TAR"
  find "$CACHE_DIR" -maxdepth 1 -name 'runner-standard-rootfs-*.tar' ! -path "$STANDARD_TAR" -delete 2>/dev/null || true
  log "cached rootfs $STANDARD_TAR ($(du -h "$STANDARD_TAR" | cut -f1)) in $(elapsed "$t")"
}

extract_cached() { # tarball
  local t
  t="$(now)"
  mkdir -p "$ROOT"
  tar -C "$ROOT" --numeric-owner -xpf "$1"
  log "using cached rootfs $1 (extracted in $(elapsed "$t"))"
}

if [ "$RUNTIME" = standard ] && [ "$REFRESH" = 0 ] && [ -f "$STANDARD_TAR" ]; then
  extract_cached "$STANDARD_TAR"
else
  if [ "$REFRESH" = 0 ] && [ -f "$ROOTFS_TAR" ]; then
    extract_cached "$ROOTFS_TAR"
  else
    build_rootfs
  fi
  if [ "$RUNTIME" = standard ]; then build_standard_rootfs; fi
fi

# ------------------------------------------------------------------ nbrunner
t="$(now)"
rm -rf "$ROOT/opt/nbrunner"
mkdir -p "$ROOT/opt"
cp -r "$NBRUNNER_SRC" "$ROOT/opt/nbrunner"
find "$ROOT/opt/nbrunner" -name '__pycache__' -type d -prune -exec rm -rf {} +
rm -rf "$ROOT/opt/nbautomation"
cp -r "$NBAUTOMATION_SRC" "$ROOT/opt/nbautomation"
find "$ROOT/opt/nbautomation" -name '__pycache__' -type d -prune -exec rm -rf {} +
chown -R 0:0 "$ROOT/opt/nbrunner" "$ROOT/opt/nbautomation"
chmod -R a+rX,go-w "$ROOT/opt/nbrunner" "$ROOT/opt/nbautomation"
chroot "$ROOT" /usr/bin/python3 -m compileall -q /opt/nbrunner /opt/nbautomation >/dev/null

EXTRA_CHANGES=()
if [ "$RUNTIME" = standard ]; then
  # Figures come out as PNG outputs: matplotlib's inline backend, no display needed.
  # An idle warm runner imports these meanwhile (runner/nbrunner/preload.py).
  EXTRA_CHANGES=(--change 'ENV MPLBACKEND=module://matplotlib_inline.backend_inline'
    --change 'ENV NBRUNNER_PRELOAD=numpy,pandas,matplotlib.pyplot')
fi

T_IMPORT="$(now)"
IMAGE_ID="$(
  tar -C "$ROOT" --numeric-owner -c . | docker import \
    --message "nbautomation runner, $RUNTIME runtime (debootstrap $SUITE, offline build)" \
    --change "LABEL org.opencontainers.image.title=$TITLE" \
    --change "LABEL org.nbautomation.source=$SOURCE_HASH" \
    --change 'USER runner' \
    --change 'WORKDIR /work' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PYTHONPATH=/opt' \
    --change 'ENV LANG=C.UTF-8' \
    "${EXTRA_CHANGES[@]}" \
    --change 'ENTRYPOINT ["python3","-m","nbrunner"]' \
    - "$TAG"
)"
log "docker import done in $(elapsed "$T_IMPORT"): $IMAGE_ID"

SIZE="$(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}')"
log "built $TAG ($SIZE) in $(elapsed "$T_ALL")"
