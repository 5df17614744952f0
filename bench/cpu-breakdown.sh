#!/usr/bin/env bash
# cpu-breakdown: where the CPU of one cold one-cell run goes, for today's runner path and the new one.
#
#   sudo bash bench/cpu-breakdown.sh [RUNS] [OLD_IMAGE] [NEW_IMAGE]
#        (RUNS 10; OLD_IMAGE nbautomation/runner:latest, run as before: the runner renders the snapshot;
#         NEW_IMAGE the same by default, run twice: rendering as before ("new-runner", which splits the old
#         work by process) and with NBRUNNER_SNAPSHOT=none and spec snapshot "none" ("new"))
#
# Each run: `docker run --rm --network none -v DIR:/work IMAGE` with the input (print(1), .go) in DIR, on a private
# dockerd (the shared one is left alone) whose daemon, containerd, shims, runc and the docker CLI run in one cgroup
# ("Docker outside") and whose containers run in another (--cgroup-parent; "container" = runner + kernel); CPU =
# the cgroups' cpuacct.usage (v1) or cpu.stat usage_usec (v2) delta per run. The runner's own share and the kernel
# process's come from its stderr summary (`cpu={"runnerMs", "kernelMs"}`: getrusage and /proc/<kernel>/stat, read
# just before it writes the result; an image older than that line shows the container total only). Medians.
set -euo pipefail
RUNS="${1:-10}"
OLD="${2:-nbautomation/runner:latest}"
NEW="${3:-$OLD}"
# shellcheck source=bench/private-dockerd.sh
. "$(dirname "$0")/private-dockerd.sh"
private_dockerd_start
DIR="$PD_DIR"
docker save "$OLD" | D load >/dev/null
[ "$NEW" = "$OLD" ] || docker save "$NEW" | D load >/dev/null
NB='{"cells":[{"cell_type":"code","id":"c1","metadata":{},"source":"print(1)","outputs":[],"execution_count":null}],"metadata":{"kernelspec":{"name":"python3","display_name":"Python 3","language":"python"}},"nbformat":4,"nbformat_minor":5}'
median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) print "-"; else if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
one() { # mode image snapshot-env spec-snapshot
  local w="$DIR/w"; rm -rf "$w"; mkdir -p "$w/input"
  printf '%s' "$NB" > "$w/input/notebook.ipynb"
  printf '{"timeoutSeconds": 600, "snapshot": "%s"}' "$4" > "$w/input/spec.json"
  : > "$w/input/.go"; chown -R 1000:1000 "$w"
  local c0 d0 c1 d1
  c0=$(cg_usage_us containers); d0=$(cg_usage_us daemon)
  D run --rm --network none -e "NBRUNNER_SNAPSHOT=$3" -v "$w:/work" "$2" 2>"$DIR/err" >/dev/null || true
  c1=$(cg_usage_us containers); d1=$(cg_usage_us daemon)
  echo "$(( (c1 - c0) / 1000 )) $(( (d1 - d0) / 1000 )) $(grep -o 'cpu={[^}]*}' "$DIR/err" | sed 's/cpu=//' | python3 -c 'import json,sys; t=sys.stdin.read().strip(); d=json.loads(t) if t else {}; print(d.get("runnerMs","-"), d.get("kernelMs","-"))')" >> "$DIR/$1"
}
D run --rm --network none --entrypoint /bin/true "$OLD"
for _ in $(seq 1 "$RUNS"); do
  one old "$OLD" runner runner
  one new-runner "$NEW" runner runner
  one new "$NEW" none none
done
echo "cpu-breakdown: $RUNS cold runs each (print(1)), medians in ms; old = $OLD as before; new-runner = $NEW rendering its own snapshot (SNAPSHOT_EXPORT=runner: old work, its split by process); new = $NEW with NBRUNNER_SNAPSHOT=none + spec snapshot none; load:"
uptime
for m in old new-runner new; do
  echo "  $m: container (runner + kernel) $(cut -d' ' -f1 "$DIR/$m" | median), runner process $(cut -d' ' -f3 "$DIR/$m" | grep -v -- - | median), kernel process $(cut -d' ' -f4 "$DIR/$m" | grep -v -- - | median), Docker outside $(cut -d' ' -f2 "$DIR/$m" | median)"
done
