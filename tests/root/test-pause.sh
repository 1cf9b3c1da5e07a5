#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root integration tests of pause/unpause (the cgroup freezer: v2's
# cgroup.freeze, or the v1 freezer hierarchy where the host has that) for
# containers and pods, what ps/inspect show of a paused container, stop,
# kill, start and rm of one as podman treats them, and pod top.
# Containers run with --network none: no network namespace is touched.
# Usage: test-pause.sh PODUNIT   (needs root; "ok"/"not ok" lines)
set -u
PODUNIT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi
. "$HERE/lib.sh"

private_store pause
pause_cleanup () {
  P pod rm -a -f -t 0 >/dev/null 2>&1
  private_store_cleanup
}
trap pause_cleanup EXIT
ticks () { P logs "$1" | count_matching tick; }
alive () { kill -0 "$1" 2>/dev/null && echo alive || echo gone; }
# The container's own cgroup: the v1 freezer leaf, else its v2 cgroup.
cgroup_of () {
  if [ -d /sys/fs/cgroup/freezer ]; then echo "/sys/fs/cgroup/freezer/podunit.slice/podunit-$1"
  else echo "/sys/fs/cgroup/podunit.slice/podunit-$1"; fi
}
TICK='while :; do echo tick; sleep 0.1; done'

ID=$(P run -d --network none --name c1 $IMG sh -c "$TICK")
check_match "a ticking container runs" '^[0-9a-f]{64}$' "$ID"
sleep 0.5
check "pause prints what named it" "c1" "$(P pause c1)"
check "inspect: status paused" "paused true false" \
  "$(P inspect --format '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' c1)"
check "ps -a: Paused" "c1 Paused" "$(P ps -a --format '{{.Names}} {{.Status}}')"
check "ps without -a lists running ones only" "" "$(P ps --format '{{.Names}}')"
check "ps --filter status=paused" "c1" "$(P ps -a --filter status=paused --format '{{.Names}}')"
before=$(ticks c1)
sleep 1
check "a paused container does not run" "$before" "$(ticks c1)"
check_refused "pause of a paused one: podman's error" \
  "Error: \"$ID\" is already paused: container state improper" "$(P pause c1 2>&1)"
check "... status 125" "125" "$(P pause c1 >/dev/null 2>&1; echo $?)"
check_refused "stop of a paused one: podman's error" \
  "Error: can only stop created or running containers. $ID is in state paused: container state improper" \
  "$(P stop -t 1 c1 2>&1)"
check_refused "start of a paused one: podman's error" \
  "Error: container $ID must be in Created or Stopped state to be started: container state improper" \
  "$(P start c1 2>&1)"
check_refused "rm without -f refuses a paused one" \
  "Error: cannot remove container $ID as it is paused - running or paused containers cannot be removed without force: container state improper" \
  "$(P rm c1 2>&1)"
check "unpause by id prefix" "${ID:0:12}" "$(P unpause "${ID:0:12}")"
sleep 0.5
check "inspect after unpause: running" "running false true" \
  "$(P inspect --format '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' c1)"
check_match "... and it runs again" '^[0-9]+$' "$(t=$(ticks c1); [ "$t" -gt "$before" ] && echo "$t")"
check_refused "unpause of a running one: podman's error" \
  "Error: \"$ID\" is not paused, can't unpause: container state improper" "$(P unpause c1 2>&1)"
check_refused "pause of a missing container" \
  "Error: no container with name or ID \"nosuch\" found: no such container" "$(P pause nosuch 2>&1)"
check "... status 125" "125" "$(P unpause nosuch >/dev/null 2>&1; echo $?)"

# kill -9 of a paused container kills it (the freezer thawed); it starts
# again unfrozen.
P pause c1 >/dev/null
check "kill of a paused container" "c1" "$(P kill c1)"
check "... it exits, killed" "137" "$(P wait c1)"
check "start again" "c1" "$(P start c1)"
sleep 0.5
check "... not frozen" "running" "$(P inspect --format '{{.State.Status}}' c1)"
before=$(ticks c1); sleep 0.5
check_match "... it ticks" '^[0-9]+$' "$(t=$(ticks c1); [ "$t" -gt "$before" ] && echo "$t")"

# rm -f of a paused container: gone, its processes and cgroup too.
P pause c1 >/dev/null
PID=$(P inspect --format '{{.State.Pid}}' c1)
check "the paused container is frozen in its own cgroup" "yes" \
  "$(grep -qx "$PID" "$(cgroup_of "$ID")/cgroup.procs" && echo yes)"
check "rm -f of a paused container" "c1" "$(P rm -f c1)"
check "... its process is gone" "gone" "$(alive "$PID")"
check "... and its cgroup" "no" "$(test -e "$(cgroup_of "$ID")" && echo yes || echo no)"

# --all
A=$(P run -d --network none --name a1 $IMG sleep 1000)
P create --name a2 $IMG true >/dev/null
check "pause --all: the running ones, by id" "$A" "$(P pause --all)"
check "unpause --all" "$A" "$(P unpause --all)"
check_refused "--all with names is refused" \
  "Error: when using the --all switch, you may not pass any containers names or IDs" \
  "$(P pause --all a1 2>&1)"
P rm -f -t 0 a1 a2 >/dev/null

# Pods: pause/unpause every container, pod top over their processes.
POD=$(P pod create --network none --name pp)
P run -d --pod pp --name m1 $IMG sleep 1001 >/dev/null
P run -d --pod pp --name m2 $IMG sleep 1002 >/dev/null
check "pod pause prints the pod id" "$POD" "$(P pod pause pp)"
check "pod ps: Paused" "pp Paused" "$(P pod ps --format '{{.Name}} {{.Status}}')"
check "every container of the pod is paused" "Paused Paused Paused" \
  "$(P ps -a --pod --format '{{.Status}}' | sort | xargs)"
check "pod unpause" "$POD" "$(P pod unpause pp)"
check "pod ps: Running" "pp Running" "$(P pod ps --format '{{.Name}} {{.Status}}')"
check "pod top: the header" \
  "USER        PID         PPID        %CPU        ELAPSED     TTY         TIME        COMMAND" \
  "$(P pod top pp | head -1)"
check "pod top: the infra and both members" "podunit-pause sleep 1001 sleep 1002" \
  "$(P pod top pp | sed 1d | awk '{ $1=$2=$3=$4=$5=$6=$7=""; print }' | sed 's|^ *||; s|^/.*/podunit-pause$|podunit-pause|' | sort | xargs)"
check "pod top with descriptors" "PID COMMAND|1 podunit-pause|1 sleep|1 sleep" \
  "$(P pod top pp pid,comm | sed 's/  */ /g; s/^ //; s/ $//' | { read -r h; echo "$h"; sort; } | paste -sd'|')"
check "top takes ps's -eo, as podman" "PID COMMAND|1 sleep" \
  "$(P top m1 -eo pid,comm | sed 's/  */ /g; s/ $//' | paste -sd'|')"
check "... and descriptors in one argument" "PID COMMAND|1 sleep" \
  "$(P top m1 -eo 'pid comm' | sed 's/  */ /g; s/ $//' | paste -sd'|')"
P pod stop -t 0 pp >/dev/null
check_refused "pod top of a stopped pod" \
  "Error: pod top can only be used on pods with at least one running container" \
  "$(P pod top pp 2>&1)"
P pod rm -f pp >/dev/null

[ "$fails" = 0 ] && echo "# all $n passed" || echo "# $fails of $n failed"
[ "$fails" = 0 ]
