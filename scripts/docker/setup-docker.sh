#!/usr/bin/env bash
# Install (if needed) and start (if needed) a local Docker daemon.
#
# Idempotent: safe to run any number of times.
#  - installs Debian's docker.io (dockerd + containerd + runc) when `dockerd` is missing
#  - starts `dockerd --bridge=none --iptables=false --ip6tables=false` in the background
#    when `docker info` fails, logging to $DOCKERD_LOG (default /var/log/dockerd.log)
#  - picks a storage driver that works on this machine: overlay2 when an overlay
#    mount can be made under the docker root, else fuse-overlayfs when available,
#    else vfs. If the daemon still does not come up and its log blames the
#    storage driver / graphdriver, it is retried with vfs.
#
# Environment overrides:
#   DOCKER_STORAGE_DRIVER   force a storage driver (e.g. vfs, overlay2)
#   DOCKERD_EXTRA_ARGS      extra flags appended to dockerd's command line
#   DOCKERD_LOG             log file (default /var/log/dockerd.log)
#   DOCKER_DATA_ROOT        dockerd --data-root (default /var/lib/docker)
#   DOCKERD_WAIT_SECONDS    how long to wait for the daemon (default 60)
#   DOCKERD_PIDFILE         dockerd --pidfile (default /var/run/docker.pid)
# (`docker info` honours DOCKER_HOST; for a second daemon also pass
#  DOCKERD_EXTRA_ARGS="-H unix:///path.sock --exec-root DIR".)
set -euo pipefail

log() { printf '[setup-docker] %s\n' "$*"; }
die() { printf '[setup-docker] ERROR: %s\n' "$*" >&2; exit 1; }

DOCKERD_LOG="${DOCKERD_LOG:-/var/log/dockerd.log}"
DATA_ROOT="${DOCKER_DATA_ROOT:-/var/lib/docker}"
WAIT_SECONDS="${DOCKERD_WAIT_SECONDS:-60}"
PIDFILE="${DOCKERD_PIDFILE:-/var/run/docker.pid}"

if [ "$(id -u)" -ne 0 ]; then
  die "must run as root (installs packages and starts dockerd)"
fi

export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"

# ---------------------------------------------------------------- install
apt_install() {
  # Keep invoke-rc.d from starting services inside the install (there is no
  # init system here; we start dockerd ourselves with our own flags).
  local created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 0755 /usr/sbin/policy-rc.d
    created_policy=1
  fi
  local rc=0
  (
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "$@"
  ) || rc=$?
  if [ "$created_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
  return "$rc"
}

need_pkgs=()
if ! command -v dockerd >/dev/null 2>&1; then need_pkgs+=(docker.io); fi
# docker.io depends on these, but check anyway in case dockerd came from elsewhere
if ! command -v containerd >/dev/null 2>&1 || ! command -v runc >/dev/null 2>&1; then
  need_pkgs+=(docker.io)
fi
# dockerd needs iptables binaries only if iptables is enabled; we disable it.
# `docker info` needs a client: docker.io ships one; /usr/local/bin/docker may also exist.
if ! command -v docker >/dev/null 2>&1; then need_pkgs+=(docker.io); fi
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  log "installing docker.io (dockerd, containerd, runc) from Debian ..."
  apt_install docker.io ca-certificates
  log "installed: $(dockerd --version 2>/dev/null || echo '?')"
else
  log "dockerd already installed: $(dockerd --version 2>/dev/null || echo '?')"
fi

# ---------------------------------------------------------------- already up?
docker_ok() { timeout 10 docker info >/dev/null 2>&1; }

if docker_ok; then
  log "docker daemon already answering (storage driver: $(docker info --format '{{.Driver}}' 2>/dev/null || echo '?'))"
  exit 0
fi

# ---------------------------------------------------------------- storage driver
probe_overlay() {
  # Can we mount overlayfs on the filesystem that will hold the docker root?
  mkdir -p "$DATA_ROOT"
  local d
  d="$(mktemp -d "$DATA_ROOT/.overlay-probe.XXXXXX")" || return 1
  mkdir -p "$d/l" "$d/u" "$d/w" "$d/m"
  echo ok > "$d/l/f"
  local ok=1
  if mount -t overlay overlay -o "lowerdir=$d/l,upperdir=$d/u,workdir=$d/w" "$d/m" 2>/dev/null; then
    if [ "$(cat "$d/m/f" 2>/dev/null)" = ok ] && echo x > "$d/m/g" 2>/dev/null; then ok=0; fi
    umount "$d/m" 2>/dev/null || umount -l "$d/m" 2>/dev/null || true
  fi
  rm -rf "$d"
  return "$ok"
}

choose_driver() {
  if [ -n "${DOCKER_STORAGE_DRIVER:-}" ]; then echo "$DOCKER_STORAGE_DRIVER"; return; fi
  if grep -qw overlay /proc/filesystems 2>/dev/null || modprobe overlay 2>/dev/null; then
    if probe_overlay; then echo overlay2; return; fi
  fi
  if command -v fuse-overlayfs >/dev/null 2>&1 && [ -e /dev/fuse ]; then echo fuse-overlayfs; return; fi
  echo vfs
}

# ---------------------------------------------------------------- start
DOCKERD_PID=""
start_dockerd() {
  local driver="$1"
  local args=(--bridge=none --iptables=false --ip6tables=false --data-root "$DATA_ROOT" --pidfile "$PIDFILE")
  [ -n "$driver" ] && args+=(--storage-driver="$driver")
  # shellcheck disable=SC2206
  [ -n "${DOCKERD_EXTRA_ARGS:-}" ] && args+=(${DOCKERD_EXTRA_ARGS})
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  # A stale pid file from a dead daemon makes dockerd refuse to start.
  if [ -f "$PIDFILE" ] && ! kill -0 "$(cat "$PIDFILE" 2>/dev/null)" 2>/dev/null; then
    rm -f "$PIDFILE"
  fi
  log "starting: dockerd ${args[*]}  (log: $DOCKERD_LOG)"
  printf '\n===== %s setup-docker.sh: dockerd %s\n' "$(date -Is)" "${args[*]}" >> "$DOCKERD_LOG"
  setsid nohup dockerd "${args[@]}" >> "$DOCKERD_LOG" 2>&1 < /dev/null &
  DOCKERD_PID=$!
  disown "$DOCKERD_PID" 2>/dev/null || true
}

wait_dockerd() {
  local deadline=$(( $(date +%s) + WAIT_SECONDS ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if docker_ok; then return 0; fi
    if [ -n "$DOCKERD_PID" ] && ! kill -0 "$DOCKERD_PID" 2>/dev/null; then
      log "dockerd (pid $DOCKERD_PID) exited during startup"
      return 1
    fi
    sleep 0.5
  done
  log "dockerd did not answer within ${WAIT_SECONDS}s"
  return 1
}

stop_our_dockerd() {
  if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    kill "$DOCKERD_PID" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$DOCKERD_PID" 2>/dev/null || true
  fi
  DOCKERD_PID=""
}

# Is our dockerd already running (e.g. still starting up) but not answering yet?
existing_pid="$(cat "$PIDFILE" 2>/dev/null || true)"
if [ -n "$existing_pid" ] && kill -0 "$existing_pid" 2>/dev/null; then
  log "dockerd (pid $existing_pid from $PIDFILE) is running but not answering yet; waiting ..."
  if wait_dockerd; then
    log "docker daemon is up"
    exit 0
  fi
  die "the running dockerd (pid $existing_pid) does not answer within ${WAIT_SECONDS}s; see $DOCKERD_LOG (stop it, then re-run)"
fi

driver="$(choose_driver)"
log "storage driver: $driver"
start_dockerd "$driver"
if ! wait_dockerd; then
  log "last lines of $DOCKERD_LOG:"
  tail -n 15 "$DOCKERD_LOG" | sed 's/^/    /' || true
  stop_our_dockerd
  if [ "$driver" != vfs ] && [ -z "${DOCKER_STORAGE_DRIVER:-}" ]; then
    log "retrying with --storage-driver=vfs"
    driver=vfs
    start_dockerd vfs
    if ! wait_dockerd; then
      tail -n 15 "$DOCKERD_LOG" | sed 's/^/    /' || true
      stop_our_dockerd
      die "dockerd failed to start even with vfs; see $DOCKERD_LOG"
    fi
  else
    die "dockerd failed to start; see $DOCKERD_LOG"
  fi
fi
log "docker daemon is up (pid $DOCKERD_PID, server $(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'), storage driver $(docker info --format '{{.Driver}}' 2>/dev/null || echo "$driver"))"
