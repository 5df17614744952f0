#!/usr/bin/env bash
# Build the notebook runner image WITHOUT a container registry.
#
#   scripts/docker/build-runner-offline.sh [--force] [--refresh-rootfs] [TAG]
#
# The root filesystem is made with debootstrap from the Debian mirror this
# machine's apt already uses, the Python/Jupyter packages are installed into it
# with apt in a chroot, runner/nbrunner/ is copied to /opt/nbrunner, and the
# result is `docker import`ed with the same USER/WORKDIR/ENV/ENTRYPOINT as
# runner/Dockerfile.
#
# TAG: first positional argument, else $RUNNER_IMAGE, else nbautomation/runner:latest
# --force           rebuild even if TAG already exists
# --refresh-rootfs  ignore the cached rootfs tarball (e.g. to pick up security updates)
#
# Environment:
#   RUNNER_IMAGE             default tag
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

log() { printf '[build-runner] %s\n' "$*"; }
die() { printf '[build-runner] ERROR: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1fs", b-a}'; }

FORCE=0
REFRESH=0
TAG=""
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --refresh-rootfs) REFRESH=1; FORCE=1 ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    -*) die "unknown option: $arg" ;;
    *) [ -z "$TAG" ] || die "more than one TAG given"; TAG="$arg" ;;
  esac
done
TAG="${TAG:-${RUNNER_IMAGE:-nbautomation/runner:latest}}"

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot, docker)"
[ -d "$NBRUNNER_SRC" ] || die "missing $NBRUNNER_SRC"
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"

T_ALL="$(now)"

# ------------------------------------------------------------------ docker
if ! command -v docker >/dev/null 2>&1 || ! timeout 10 docker info >/dev/null 2>&1; then
  log "docker daemon not answering: running setup-docker.sh"
  bash "$SCRIPT_DIR/setup-docker.sh"
fi

if [ "$FORCE" = 0 ] && docker image inspect "$TAG" >/dev/null 2>&1; then
  log "image $TAG already exists ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}')); skipping (use --force to rebuild)"
  exit 0
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
log "tag=$TAG suite=$SUITE arch=$ARCH mirror=$MIRROR security=$SECURITY_MIRROR"

# ------------------------------------------------------------------ workspace
mkdir -p "$CACHE_DIR/debs"
KEY="$(printf '%s|%s|%s|%s' "$RECIPE_VERSION" "$SUITE" "$ARCH" "${PACKAGES[*]}" | sha256sum | cut -c1-16)"
ROOTFS_TAR="$CACHE_DIR/runner-rootfs-$SUITE-$ARCH-$KEY.tar"
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

  # Slim down: package lists, caches, docs, logs, build-time helpers.
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
  log "packages installed and image slimmed in $(elapsed "$t")"

  t="$(now)"
  tar -C "$ROOT" --numeric-owner -cf "$ROOTFS_TAR.tmp" .
  mv -f "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  # keep only the current cached rootfs
  find "$CACHE_DIR" -maxdepth 1 -name 'runner-rootfs-*.tar' ! -path "$ROOTFS_TAR" -delete 2>/dev/null || true
  log "cached rootfs $ROOTFS_TAR ($(du -h "$ROOTFS_TAR" | cut -f1)) in $(elapsed "$t")"
}

if [ "$REFRESH" = 0 ] && [ -f "$ROOTFS_TAR" ]; then
  t="$(now)"
  mkdir -p "$ROOT"
  tar -C "$ROOT" --numeric-owner -xpf "$ROOTFS_TAR"
  log "using cached rootfs $ROOTFS_TAR (extracted in $(elapsed "$t"))"
else
  build_rootfs
fi

# ------------------------------------------------------------------ nbrunner
t="$(now)"
rm -rf "$ROOT/opt/nbrunner"
mkdir -p "$ROOT/opt"
cp -r "$NBRUNNER_SRC" "$ROOT/opt/nbrunner"
find "$ROOT/opt/nbrunner" -name '__pycache__' -type d -prune -exec rm -rf {} +
chown -R 0:0 "$ROOT/opt/nbrunner"
chmod -R a+rX,go-w "$ROOT/opt/nbrunner"
chroot "$ROOT" /usr/bin/python3 -m compileall -q /opt/nbrunner >/dev/null

T_IMPORT="$(now)"
IMAGE_ID="$(
  tar -C "$ROOT" --numeric-owner -c . | docker import \
    --message "nbautomation runner (debootstrap $SUITE, offline build)" \
    --change 'LABEL org.opencontainers.image.title=nbautomation-runner' \
    --change 'USER runner' \
    --change 'WORKDIR /work' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV PYTHONPATH=/opt' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENTRYPOINT ["python3","-m","nbrunner"]' \
    - "$TAG"
)"
log "docker import done in $(elapsed "$T_IMPORT"): $IMAGE_ID"

SIZE="$(docker image inspect -f '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}')"
log "built $TAG ($SIZE) in $(elapsed "$T_ALL")"
