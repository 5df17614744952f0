# Sourced by bench/cpu-breakdown.sh and bench/docker-runtimes.sh: a private dockerd (the shared one is left alone)
# in a cgroup of its own, with its daemon, containerd, shims, OCI runtime and the calling shell (so the docker CLI)
# in "$CG_ROOT/$CG_NAME/daemon" and its containers in ".../containers" (--cgroup-parent).
#   private_dockerd_start [extra dockerd args...]; D <docker args>; cg_usage_us daemon|containers
# The EXIT trap stops it and removes its data, mounts and cgroups.
PD_DIR="$(mktemp -d /tmp/nbr-pd-XXXXXX)"
CG_NAME="nba-bench-$$"
if [ -d /sys/fs/cgroup/cpuacct ]; then
  CG_ROOT=/sys/fs/cgroup/cpuacct
  cg_usage_us() { echo $(( $(cat "$CG_ROOT/$CG_NAME/$1/cpuacct.usage") / 1000 )); }
else
  CG_ROOT=/sys/fs/cgroup
  cg_usage_us() { awk '/^usage_usec/ {print $2}' "$CG_ROOT/$CG_NAME/$1/cpu.stat"; }
fi
PD_PID=""
private_dockerd_cleanup() {
  if [ -n "$PD_PID" ]; then kill "$PD_PID" 2>/dev/null || true; wait "$PD_PID" 2>/dev/null || true; fi
  local ctr="$PD_DIR/exec/containerd/containerd.pid"
  [ -f "$ctr" ] && kill "$(cat "$ctr")" 2>/dev/null || true
  sleep 1
  grep " $PD_DIR" /proc/mounts | cut -d' ' -f2 | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  rm -rf "$PD_DIR"
  echo $$ > "$CG_ROOT/cgroup.procs" 2>/dev/null || true
  rmdir "$CG_ROOT/$CG_NAME/daemon" "$CG_ROOT/$CG_NAME/containers" "$CG_ROOT/$CG_NAME" 2>/dev/null || true
}
D() { docker -H "unix://$PD_DIR/d.sock" "$@"; }
private_dockerd_start() {
  mkdir -p "$CG_ROOT/$CG_NAME/daemon" "$CG_ROOT/$CG_NAME/containers"
  trap private_dockerd_cleanup EXIT
  echo $$ > "$CG_ROOT/$CG_NAME/daemon/cgroup.procs"
  dockerd --host="unix://$PD_DIR/d.sock" --data-root="$PD_DIR/data" --exec-root="$PD_DIR/exec" --pidfile="$PD_DIR/d.pid" \
    --bridge=none --iptables=false --ip6tables=false --storage-driver=overlay2 \
    --cgroup-parent="/$CG_NAME/containers" "$@" >"$PD_DIR/dockerd.log" 2>&1 &
  PD_PID=$!
  for _ in $(seq 1 120); do D info >/dev/null 2>&1 && return 0; sleep 0.5; done
  echo "the private dockerd did not answer; see $PD_DIR/dockerd.log" >&2
  return 1
}
