#!/usr/bin/env bash
# docker-runtimes: CPU and wall time of `docker run --rm --network none IMAGE /bin/true` with runc and with crun.
#
#   sudo bash bench/docker-runtimes.sh [RUNS] [IMAGE]      (RUNS 20, IMAGE nbautomation/runner:latest)
#
# Why a private dockerd: the shared one is left alone (no restart, no runtime added). This one is started with both
# runtimes (--add-runtime crun=...) in a cgroup of its own (cgroup v1 cpuacct, or v2 cpu.stat), and so are its
# containerd, shims, the OCI runtime and the docker CLI; --cgroup-parent puts the containers in it too. CPU per run =
# the cgroup's usage delta over the runs / RUNS; wall = the CLI's own time. The two runtimes alternate run by run,
# so both see the same load. Needs root, crun (Debian bookworm: `apt-get install crun`), the image in the shared engine.
set -euo pipefail
RUNS="${1:-20}"
IMAGE="${2:-nbautomation/runner:latest}"
CRUN="$(command -v crun || true)"
[ -n "$CRUN" ] || { echo "crun is not installed (apt-get install crun)" >&2; exit 1; }
DIR="$(mktemp -d /tmp/nbr-rt-XXXXXX)"
SOCK="$DIR/d.sock"
CG_NAME="nba-runtimes-$$"
if [ -d /sys/fs/cgroup/cpuacct ]; then
  CG="/sys/fs/cgroup/cpuacct/$CG_NAME"; mkdir "$CG"
  usage_us() { echo $(( $(cat "$CG/cpuacct.usage") / 1000 )); }
else
  CG="/sys/fs/cgroup/$CG_NAME"; mkdir "$CG"
  usage_us() { awk '/^usage_usec/ {print $2}' "$CG/cpu.stat"; }
fi
DPID=""
cleanup() {
  if [ -n "$DPID" ]; then kill "$DPID" 2>/dev/null || true; wait "$DPID" 2>/dev/null || true; fi
  local ctr="$DIR/exec/containerd/containerd.pid"
  [ -f "$ctr" ] && kill "$(cat "$ctr")" 2>/dev/null || true
  sleep 1
  grep " $DIR" /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$DIR"
  echo $$ > "$(dirname "$CG")/cgroup.procs" 2>/dev/null || true
  rmdir "$CG" 2>/dev/null || true
}
trap cleanup EXIT
echo $$ > "$CG/cgroup.procs"   # this shell, and so everything it starts from now on
dockerd --host="unix://$SOCK" --data-root="$DIR/data" --exec-root="$DIR/exec" --pidfile="$DIR/d.pid" \
  --bridge=none --iptables=false --ip6tables=false --storage-driver=overlay2 \
  --add-runtime "crun=$CRUN" --cgroup-parent="/$CG_NAME" >"$DIR/dockerd.log" 2>&1 &
DPID=$!
D() { docker -H "unix://$SOCK" "$@"; }
for _ in $(seq 1 120); do D info >/dev/null 2>&1 && break; sleep 0.5; done
docker save "$IMAGE" | D load >/dev/null
D run --rm --network none --entrypoint /bin/true "$IMAGE"  # warm-up
RTS="runc crun"
# crun 1.8 refuses a cgroup v1 + v2 "hybrid" host whose v2 hierarchy holds a controller (this machine: hugetlb).
if ! err=$(D run --rm --network none --runtime crun --entrypoint /bin/true "$IMAGE" 2>&1); then
  echo "crun cannot run containers here: $err"
  RTS="runc"
fi
declare -A cpu wall
for rt in $RTS; do cpu[$rt]=0; wall[$rt]=0; done
for i in $(seq 1 "$RUNS"); do
  for rt in $RTS; do
    u0=$(usage_us); t0=$(date +%s%N)
    D run --rm --network none --runtime "$rt" --entrypoint /bin/true "$IMAGE"
    t1=$(date +%s%N); u1=$(usage_us)
    cpu[$rt]=$(( ${cpu[$rt]} + u1 - u0 )); wall[$rt]=$(( ${wall[$rt]} + (t1 - t0) / 1000 ))
  done
done
echo "docker-runtimes: $RUNS runs each of docker run --rm --network none --entrypoint /bin/true $IMAGE; $(D version --format 'Docker {{.Server.Version}}'), $(crun --version | head -1), $(runc --version | head -1); load before/after in uptime:"
uptime
for rt in $RTS; do
  echo "  $rt: CPU $(( ${cpu[$rt]} / RUNS / 1000 )) ms per run (dockerd + containerd + shim + runtime + CLI), wall $(( ${wall[$rt]} / RUNS / 1000 )) ms"
done
