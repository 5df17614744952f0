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
# shellcheck source=bench/private-dockerd.sh
. "$(dirname "$0")/private-dockerd.sh"
private_dockerd_start --add-runtime "crun=$CRUN"
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
    u0=$(( $(cg_usage_us daemon) + $(cg_usage_us containers) )); t0=$(date +%s%N)
    D run --rm --network none --runtime "$rt" --entrypoint /bin/true "$IMAGE"
    t1=$(date +%s%N); u1=$(( $(cg_usage_us daemon) + $(cg_usage_us containers) ))
    cpu[$rt]=$(( ${cpu[$rt]} + u1 - u0 )); wall[$rt]=$(( ${wall[$rt]} + (t1 - t0) / 1000 ))
  done
done
echo "docker-runtimes: $RUNS runs each of docker run --rm --network none --entrypoint /bin/true $IMAGE; $(D version --format 'Docker {{.Server.Version}}'), $(crun --version | head -1), $(runc --version | head -1); load before/after in uptime:"
uptime
for rt in $RTS; do
  echo "  $rt: CPU $(( ${cpu[$rt]} / RUNS / 1000 )) ms per run (dockerd + containerd + shim + runtime + CLI), wall $(( ${wall[$rt]} / RUNS / 1000 )) ms"
done
