#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root integration tests of OCI hooks (oci-hooks(5), container/hooks.h):
# what a hook sees on stdin and where it runs, the order of the stages, a
# failing prestart hook failing `run` with the hook file named and nothing
# left running, `when` by annotation and command, --hooks-dir replacing the
# defaults, the decision kept by `start` and --restart, invalid files.
# Usage: test-hooks.sh PODUNIT   (needs root; prints "ok"/"not ok" lines)
set -u
PODUNIT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi
. "$HERE/lib.sh"
private_store hooks
H=$T/hooks LOG=$T/log OUT=$T/out
mkdir -p "$H" "$OUT"

# hook NAME STAGE WHEN [PATH ARGS-JSON]: a hook file; the default program
# appends "STAGE <stdin> <its mount and pid namespaces>" to $LOG
cat > "$T/record.sh" <<EOF
#!/bin/sh
echo "\$1 \$(cat) mnt=\$(readlink /proc/self/ns/mnt) pid=\$(readlink /proc/self/ns/pid)" >> $LOG
EOF
chmod +x "$T/record.sh"
hook () {
  local args=${5:-}
  [ -n "$args" ] || args="[\"record.sh\", \"$2\"]"
  cat > "$H/$1.json" <<EOF
{"version": "1.0.0", "hook": {"path": "${4:-$T/record.sh}", "args": $args},
 "when": $3, "stages": ["$2"]}
EOF
}
stage_of () { [ -e "$LOG" ] || return 0; cut -d' ' -f1 "$LOG" | tr '\n' ' ' | sed 's/ $//'; }
json_of () { grep "^$1 " "$LOG" | head -1 | sed 's/^[^ ]* \({.*}\) mnt=.*/\1/'; }
ns_of () { grep "^$1 " "$LOG" | head -1 | sed 's/.* mnt=\([^ ]*\) pid=\(.*\)/\1 \2/'; }
HOST_NS="$(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/pid)"

# --- every stage, in order, with the state on stdin ---
hook 10-create-runtime createRuntime '{"always": true}'
hook 20-prestart prestart '{"always": true}'
hook 30-create-container createContainer '{"always": true}'
hook 40-start-container startContainer '{"always": true}' /bin/sh \
  '["sh", "-c", "echo startContainer $(cat) host=$(cat /etc/hostname) >> /out/log"]'
hook 50-poststart poststart '{"always": true}'
hook 60-poststop poststop '{"always": true}'
check "run with a hook at every stage" "hi" \
  "$(P --hooks-dir "$H" run --name all -v "$OUT:/out" "$IMG" sh -c 'echo hi' 2>&1)"
ID=$(P inspect --format '{{.ID}}' all)
check "host-side stages in order: createRuntime and prestart (by file name), createContainer, poststart, poststop" \
  "createRuntime prestart createContainer poststart poststop" "$(stage_of)"
check "prestart's stdin: the OCI state, created, with the container's pid" \
  "1.0.2 $ID created pid $T/root/containers/$ID" \
  "$(json_of prestart | python3 -c 'import json,sys; s=json.load(sys.stdin); print(s["ociVersion"], s["id"], s["status"], "pid" if s["pid"] > 1 else "nopid", s["bundle"])')"
check "poststart: running; poststop: stopped, no pid" "running stopped False" \
  "$(python3 -c 'import json,sys; a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2]); print(a["status"], b["status"], "pid" in b)' "$(json_of poststart)" "$(json_of poststop)")"
check "createRuntime, prestart, poststart, poststop run in the host's namespaces" \
  "$HOST_NS|$HOST_NS|$HOST_NS|$HOST_NS" \
  "$(echo "$(ns_of createRuntime)|$(ns_of prestart)|$(ns_of poststart)|$(ns_of poststop)")"
CNS=$(ns_of createContainer)
check "createContainer runs in the container's mount and pid namespaces" "yes" \
  "$([ "${CNS% *}" != "${HOST_NS% *}" ] && [ "${CNS#* }" != "${HOST_NS#* }" ] && echo yes)"
check "startContainer runs in the container's root (its path and files are the container's)" \
  "startContainer $ID created ${ID:0:12}" \
  "$(sed -n 's/^startContainer \({.*}\) host=\(.*\)/\1 \2/p' "$OUT/log" | python3 -c 'import json,sys; j,h=sys.stdin.read().rsplit(" ",1); s=json.loads(j); print("startContainer", s["id"], s["status"], h.strip())')"
rm -f "$LOG" "$OUT/log"

# --- the decision is recorded at create: start runs the same hooks ---
check_ok "start again (no --hooks-dir) runs the recorded hooks" P start -a all
check "start: the same stages" "createRuntime prestart createContainer poststart poststop" "$(stage_of)"
rm -f "$H"/*.json "$LOG"

# --- a failing prestart hook fails run, naming its file; nothing runs on ---
hook 10-fails prestart '{"always": true}' /bin/sh '["sh", "-c", "cat >/dev/null; exit 3"]'
check "failing prestart: run fails with 126 and names the hook file" \
  "126 Error: hook $H/10-fails.json: /bin/sh: exit status 3" \
  "$(failing P --hooks-dir "$H" run --name failed "$IMG" touch /tmp/never)"
check "the container did not run (Created, never started)" "created" \
  "$(P inspect --format '{{.State.Status}}' failed)"
check "no process of it is left" "0" \
  "$(ps -eo args | count_matching "^touch /tmp/never")"
check "run --rm -d with a failing hook: 126 and no container left" "126 0" \
  "$(P --hooks-dir "$H" run --rm -d --name failed-rm "$IMG" sleep 100 >/dev/null 2>&1; echo "$? $(P ps -a -q --filter name=failed-rm | wc -l)")"
rm -f "$H"/*.json

# --- when: annotations and commands ---
hook 10-by-annotation prestart '{"annotations": {"^com\\.example\\.gpu$": "^yes$"}}'
hook 20-by-command poststart '{"commands": ["^/bin/true$"]}'
P --hooks-dir "$H" run --rm "$IMG" true >/dev/null
check "no annotation, command true: neither hook" "" "$(stage_of)"
P --hooks-dir "$H" run --rm --annotation com.example.gpu=yes "$IMG" /bin/true >/dev/null
check "annotation and /bin/true: both" "prestart poststart" "$(stage_of)"
rm -f "$LOG"
P --hooks-dir "$H" run --rm --annotation com.example.gpu=no "$IMG" /bin/true >/dev/null
check "annotation value not matching: only the command's" "poststart" "$(stage_of)"
rm -f "$H"/*.json "$LOG"

# --- directories: the later masks a same-named file; invalid files ---
mkdir -p "$T/h1" "$T/h2"
cat > "$T/h1/hook.json" <<EOF
{"version": "1.0.0", "hook": {"path": "$T/record.sh", "args": ["x", "first"]}, "when": {"always": true}, "stages": ["prestart"]}
EOF
cat > "$T/h2/hook.json" <<EOF
{"version": "1.0.0", "hook": {"path": "$T/record.sh", "args": ["x", "second"]}, "when": {"always": true}, "stages": ["prestart"]}
EOF
P --hooks-dir "$T/h1" --hooks-dir "$T/h2" run --rm "$IMG" true >/dev/null
check "two --hooks-dir: the later directory's file of the same name wins" "second" "$(stage_of)"
rm -f "$LOG"
echo '{"version": "1.0.0", "hook": {"path": "/bin/true"}, "when": {"always": true}, "stages": ["prestrat"]}' > "$T/h2/bad.json"
check "an invalid hook file fails create, naming it" \
  "125 Error: parsing hook \"$T/h2/bad.json\": unknown stage \"prestrat\"" \
  "$(failing P --hooks-dir "$T/h2" create --name bad "$IMG" true)"
check "and no container was made" "1" "$(P container exists bad >/dev/null 2>&1; echo $?)"
echo '{"version": "1.0.0", "hook": {"path": "/nonexistent/hook"}, "when": {"always": true}, "stages": ["prestart"]}' > "$T/h2/bad.json"
check "a hook whose program is missing is skipped (podman)" "hi" \
  "$(P --hooks-dir "$T/h2" run --rm "$IMG" echo hi)"
printf '[engine]\nhooks_dir = ["%s"]\n' "$T/h1" > "$T/containers.conf"
rm -f "$LOG"
CONTAINERS_CONF=$T/containers.conf P run --rm "$IMG" true >/dev/null
check "containers.conf [engine] hooks_dir" "first" "$(stage_of)"

# --- --restart keeps the hooks (podman #17935): prestart and poststop each run ---
rm -f "$LOG" "$T"/h1/*.json
cat > "$T/h1/both.json" <<EOF
{"version": "1.0.0", "hook": {"path": "$T/record.sh", "args": ["x", "ran"]}, "when": {"always": true}, "stages": ["prestart", "poststop"]}
EOF
P run -d --restart=on-failure:2 --name restarts --hooks-dir="$T/h1" "$IMG" false >/dev/null
for _ in $(seq 100); do [ "$(P inspect --format '{{.RestartCount}}' restarts)" = 2 ] && break; sleep 0.1; done
P wait restarts >/dev/null
check "--restart=on-failure:2: prestart and poststop ran 3 times each, poststop before wait returned" \
  "6" "$(wc -l < "$LOG")"

echo "1..$n"
[ "$fails" = 0 ]
