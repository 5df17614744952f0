#!/usr/bin/env bash
# End-to-end smoke test of the runner image (needs a running docker daemon and
# the image; see setup-docker.sh and build-runner-offline.sh).
#
#   scripts/docker/smoke-test-runner.sh [TAG]
#
# Cases (cold: input copied in before `docker start`):
#   params   notebook with a `parameters` cell + params {"x":5,"name":"a'b"} -> succeeded (0)
#   fail     ValueError in cell 2                                          -> failed (1)
#   timeout  time.sleep(30) with timeoutSeconds 2                          -> timeout (3)
#   badspec  invalid parameter name                                        -> error (2)
#   warm     container started first; input copied after "NBRUNNER READY"  -> succeeded (0)
# and prints timings for a cold `docker run` and for warm runs of print(1).
set -euo pipefail

TAG="${1:-${RUNNER_IMAGE:-nbautomation/runner:latest}}"
TMP="$(mktemp -d /tmp/nbrunner-smoke.XXXXXX)"
trap 'rm -rf "$TMP"' EXIT
FAILS=0
now_ms() { date +%s%3N; }

# make_input DIR NOTEBOOK_JSON SPEC_JSON -> DIR/input.tar (input/notebook.ipynb, input/spec.json, input/.go last)
make_input() {
  local d="$1"
  mkdir -p "$d/input"
  printf '%s' "$2" > "$d/input/notebook.ipynb"
  printf '%s' "$3" > "$d/input/spec.json"
  : > "$d/input/.go"
  chmod 0644 "$d/input/"* "$d/input/.go"; chmod 0755 "$d/input"
  tar -C "$d" --owner=0 --group=0 --numeric-owner --no-recursion -cf "$d/input.tar" \
    input input/notebook.ipynb input/spec.json input/.go
}

nb() { # cells as JSON array of [source, tags-json]
  python3 - "$@" <<'EOF'
import json, sys
cells = []
for arg in sys.argv[1:]:
    src, _, tags = arg.partition("\x1f")
    cells.append({"cell_type": "code", "execution_count": None,
                  "metadata": {"tags": json.loads(tags)} if tags else {},
                  "outputs": [], "source": src})
print(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 4}))
EOF
}

check() { # name expected_status expected_rc actual_rc dir
  local name="$1" want="$2" want_rc="$3" rc="$4" d="$5" got
  got="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$d/output/result.json" 2>/dev/null || echo missing)"
  local files_ok=1
  if [ "$want" != error ] && { [ ! -s "$d/output/notebook.ipynb" ] || [ ! -s "$d/output/snapshot.html" ]; }; then files_ok=0; fi
  if [ "$got" = "$want" ] && [ "$rc" = "$want_rc" ] && [ "$files_ok" = 1 ]; then
    echo "PASS $name: status=$got exit=$rc"
  else
    echo "FAIL $name: status=$got (want $want) exit=$rc (want $want_rc)"; FAILS=$((FAILS + 1))
  fi
  echo "--- $name result.json"; cat "$d/output/result.json" 2>/dev/null; echo
}

cold() { # name dir -> runs create/cp/start -a/cp out; echoes exit code
  local d="$2" cid rc
  cid="$(docker create --network none "$TAG")"
  docker cp - "$cid:/work" < "$d/input.tar"
  set +e; docker start -a "$cid" > "$d/stdout" 2> "$d/stderr"; rc=$?; set -e
  docker cp "$cid:/work/output" - | tar -x -C "$d"
  docker rm -f "$cid" >/dev/null
  echo "$rc"
}

# ---------------------------------------------------------------- params
D="$TMP/params"
make_input "$D" "$(nb $'x = 1\nname = "default"\x1f["parameters"]' $'print(f"x={x} name={name}")\nimport os; print("TOKEN", os.environ.get("TOKEN"))')" \
  '{"parameters":{"x":5,"name":"a'"'"'b"},"webhookPayload":{"event":"ping"},"timeoutSeconds":30,"env":{"TOKEN":"t0k"}}'
t0="$(now_ms)"; rc="$(cold params "$D")"; t1="$(now_ms)"
check params succeeded 0 "$rc" "$D"
echo "(cold create+cp+start+cp-out: $((t1 - t0)) ms)"
python3 - "$D/output/notebook.ipynb" <<'EOF'
import json, sys
nb = json.load(open(sys.argv[1]))
for i, c in enumerate(nb["cells"]):
    outs = "".join("".join(o.get("text", "")) for o in c.get("outputs", []))
    print(i, c["metadata"].get("tags"), repr("".join(c["source"]))[:70], "->", repr(outs))
EOF
grep -q "x=5 name=a&#39;b\|x=5 name=a'b" "$D/output/snapshot.html" && echo "snapshot.html contains the output" || { echo "FAIL snapshot content"; FAILS=$((FAILS + 1)); }

# ---------------------------------------------------------------- fail
D="$TMP/fail"
make_input "$D" "$(nb 'print("cell 1 ok")' 'raise ValueError("bad value in cell 2")' 'print("never")')" \
  '{"parameters":null,"webhookPayload":null,"timeoutSeconds":30,"env":null}'
rc="$(cold fail "$D")"; check fail failed 1 "$rc" "$D"

# ---------------------------------------------------------------- timeout
D="$TMP/timeout"
make_input "$D" "$(nb 'print("sleeping", flush=True)'$'\nimport time\ntime.sleep(30)' 'print("never")')" \
  '{"parameters":null,"webhookPayload":null,"timeoutSeconds":2,"env":null}'
t0="$(now_ms)"; rc="$(cold timeout "$D")"; t1="$(now_ms)"
check timeout timeout 3 "$rc" "$D"; echo "(timeout case took $((t1 - t0)) ms end to end)"

# ---------------------------------------------------------------- bad spec
D="$TMP/badspec"
make_input "$D" "$(nb 'print(1)')" '{"parameters":{"not valid":1},"timeoutSeconds":5}'
rc="$(cold badspec "$D")"; check badspec error 2 "$rc" "$D"

# ---------------------------------------------------------------- cold docker run
D="$TMP/run"
make_input "$D" "$(nb 'print(1)')" '{"parameters":null,"webhookPayload":null,"timeoutSeconds":30,"env":null}'
mkdir -p "$D/mnt" && cp -r "$D/input" "$D/mnt/" && chmod 0777 "$D/mnt"
t0="$(now_ms)"
docker run --rm --network none -v "$D/mnt:/work" "$TAG" > /dev/null 2>&1 || true
t1="$(now_ms)"
echo "cold 'docker run --rm --network none' (bind-mounted /work, print(1)): $((t1 - t0)) ms; status=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["status"])' "$D/mnt/output/result.json")"

# ---------------------------------------------------------------- warm
for i in 1 2 3; do
  D="$TMP/warm$i"
  make_input "$D" "$(nb 'print(1)')" '{"parameters":null,"webhookPayload":null,"timeoutSeconds":30,"env":null}'
  cid="$(docker create --network none "$TAG")"
  docker start "$cid" >/dev/null
  for _ in $(seq 1 600); do
    docker logs "$cid" 2>/dev/null | grep -q '^NBRUNNER READY$' && break
    sleep 0.05
  done
  t0="$(now_ms)"
  docker cp - "$cid:/work" < "$D/input.tar"
  t_cp="$(now_ms)"
  rc="$(docker wait "$cid")"
  t1="$(now_ms)"
  docker cp "$cid:/work/output" - | tar -x -C "$D"
  t2="$(now_ms)"
  docker rm -f "$cid" >/dev/null
  out="$(check "warm$i" succeeded 0 "$rc" "$D")"; echo "${out%%$'\n'*}"; case "$out" in FAIL*) FAILS=$((FAILS + 1)) ;; esac
  echo "warm$i: copy-in $((t_cp - t0)) ms, copy-in -> exit $((t1 - t0)) ms, + copy-out $((t2 - t1)) ms; in-container: $(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(r["timings"], "go->done", r["finishedAt"]-r["startedAt"], "ms")' "$D/output/result.json")"
done

echo
[ "$FAILS" = 0 ] && echo "ALL PASSED" || { echo "$FAILS FAILED"; exit 1; }
