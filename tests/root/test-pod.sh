#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root integration tests of pods: pod create|start|stop|restart|kill|rm|ps|
# inspect|exists|prune, run --pod/--pod-id-file/new:, the infra (podunit-pause)
# holding the shared namespaces, the pod's published port, the exit
# policy, the commands Quadlet's .pod service runs (taken from the
# generator's output), and that `pod rm -f` leaves no process, veth, nft
# rule or lease behind.
#
# Runs inside a network namespace it makes and deletes (own-netns.sh):
# loopback and the namespace's own bridge only.
# Usage: test-pod.sh PODUNIT [GENERATOR]   (needs root; "ok"/"not ok" lines)
set -u
PODUNIT=$(readlink -f "$1")
GENERATOR=${2:+$(readlink -f "$2")}
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi
for tool in ip nft curl; do
  command -v $tool >/dev/null || { echo "skip: needs $tool"; exit 77; }
done
. "$HERE/own-netns.sh"
own_netns podunit-test-pod "$@"
. "$HERE/lib.sh"

private_store pod
pods_cleanup () {
  P pod rm -a -f -t 0 >/dev/null 2>&1
  private_store_cleanup
}
trap pods_cleanup EXIT
# The body at URL from this namespace, tried for up to 5 s (a server that
# just started), or "failed".
get_up () {
  for _ in $(seq 25); do curl -sf --max-time 3 "$1" && return; sleep 0.2; done
  echo failed
}
# Polls COMMAND... until it prints EXPECTED (up to 10 s); prints the last output.
wait_for () {
  local expected=$1 out=
  shift
  for _ in $(seq 50); do out=$("$@" 2>&1); [ "$out" = "$expected" ] && break; sleep 0.2; done
  printf '%s' "$out"
}
alive () { kill -0 "$1" 2>/dev/null && echo alive || echo gone; }
veths () { ip -o link show type veth | count_matching .; }
# The host end of a veth goes when the kernel cleans up the namespace of
# its last process, asynchronously (a work queue): give it a moment.
veths_settled () { wait_for 0 veths; }
leases () { ls "$T/run/networks/attach" 2>/dev/null | count_matching .; }
rules_for () { nft list ruleset | count_matching "[^0-9]$1[^0-9]"; }
PORT=18080
WEB="echo hello-\$0 > /tmp/index.html; exec httpd -f -p 80 -h /tmp"

check "network for the pods" "lan" "$(P network create --subnet 10.92.0.0/24 lan)"

# --- create, exists, ps, inspect ---
ID=$(P pod create --name app --network lan -p 127.0.0.1:$PORT:80 --infra-name app-infra \
       --label tier=web --infra-conmon-pidfile "$T/app.pid")
check_match "pod create prints the id" '^[0-9a-f]{64}$' "$ID"
check "pod exists" "0" "$(status P pod exists app)"
check "pod exists by id prefix" "0" "$(status P pod exists "${ID:0:12}")"
check "pod exists: a missing one is 1" "1" "$(status P pod exists nosuch)"
check_refused "a taken name is refused" \
  'Error: adding pod to state: name "app" is in use: pod already exists' \
  "$(P pod create --name app 2>&1)"
check "... with 125" "125" "$(status P pod create --name app)"
check_refused "a bad exit policy is refused" \
  'Error: running pod create option: invalid pod exit policy: "later"' \
  "$(P pod create --exit-policy later x 2>&1)"
check_refused "an invalid pod name is refused" \
  "Error: running pod create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument" \
  "$(P pod create 'bad/name' 2>&1)"
check "the failures left one pod" "app" "$(P pod ps --format '{{.Name}}')"
check "pod ps: created, with its infra" "app Created 1 ${ID:0:12}" \
  "$(P pod ps --format '{{.Name}} {{.Status}} {{.NumberOfContainers}} {{.ID}}')"
check "ps -a --pod: the infra belongs to the pod" "app-infra ${ID:0:12} app true" \
  "$(P ps -a --format '{{.Names}} {{.Pod}} {{.PodName}} {{.IsInfra}}')"
check "pod inspect --format" "app app Created continue 1 map[tier:web]" \
  "$(P pod inspect --format '{{.Name}} {{.Hostname}} {{.State}} {{.ExitPolicy}} {{.NumContainers}} {{.Labels}}' app)"
check "pod inspect: the infra's ports" "127.0.0.1:$PORT->80/tcp" \
  "$(P pod inspect app | jq -r '.[0].InfraConfig.PortBindings[0]')"
check_refused "rm of the infra alone is refused" \
  "Error: container $(P pod inspect --format '{{.InfraContainerID}}' app) is the infra container of pod $ID and cannot be removed without removing the pod" \
  "$(P rm app-infra 2>&1)"

# --- start: the infra holds the namespaces, members join them ---
check "pod start prints the id" "$ID" "$(P pod start app)"
SUP=$(cat "$T/app.pid")
check "--infra-conmon-pidfile names the infra's supervisor" "podunit-supervi" \
  "$(wait_for podunit-supervi cat /proc/$SUP/comm)"
INFRA_PID=$(P inspect --format '{{.State.Pid}}' app-infra)
check "the infra process is podunit-pause" "podunit-pause" "$(cat /proc/$INFRA_PID/comm)"
check "... with no capability" "0000000000000000" \
  "$(awk '/^CapEff/ {print $2}' /proc/$INFRA_PID/status)"
check "pod ps: running" "Running" "$(P pod ps --format '{{.Status}}')"
check_match "run -d --pod" '^[0-9a-f]{64}$' "$(P run -d --init --pod app --name web $IMG sh -c "$WEB" web)"
check "a second member reaches the first on 127.0.0.1" "hello-web" \
  "$(P run --rm --pod app $IMG sh -c 'for i in $(seq 25); do wget -qO- http://127.0.0.1:80/ 2>/dev/null && exit; sleep 0.2; done; echo failed')"
check "the pod's published port reaches the member listening" "hello-web" \
  "$(get_up http://127.0.0.1:$PORT/)"
check "members share the pod's network namespace" "$(readlink /proc/$INFRA_PID/ns/net)" \
  "$(readlink /proc/$(P inspect --format '{{.State.Pid}}' web)/ns/net)"
check "... and its UTS and IPC namespaces" "$(readlink /proc/$INFRA_PID/ns/uts) $(readlink /proc/$INFRA_PID/ns/ipc)" \
  "$(W=$(P inspect --format '{{.State.Pid}}' web); echo $(readlink /proc/$W/ns/uts) $(readlink /proc/$W/ns/ipc))"
check "but not its pid namespace" "1" \
  "$(P exec web sh -c 'ls -d /proc/[0-9]* | wc -l | grep -q "^[0-9]" && pidof podunit-pause >/dev/null; echo $?')"
check "a member's host name is the pod's" "app app" "$(P exec web sh -c 'hostname; cat /etc/hostname' | tr '\n' ' ' | sed 's/ $//')"
check "its /etc/hosts names it at the pod's address" "1" \
  "$(P exec web cat /etc/hosts | grep -c "^10\.92\.0\.[0-9]*	web$")"
check "containers on the network reach the pod by its name" "hello-web" \
  "$(P run --rm --network lan $IMG sh -c 'for i in $(seq 25); do wget -qO- http://app:80/ 2>/dev/null && exit; sleep 0.2; done; echo failed')"
check "ps --filter pod=" "web" "$(P ps --filter pod=app --filter name=web --format '{{.Names}}')"
check_match "ps --pod shows the pod columns" "web +${ID:0:12} +app" "$(P ps --pod | grep ' web ')"
check_refused "-p on a member is refused" \
  "Error: invalid config provided: published or exposed ports must be defined when the pod is created: network cannot be configured when it is shared with a pod" \
  "$(P run --rm --pod app -p 9000:80 $IMG true 2>&1)"
check_refused "--hostname on a member is refused" \
  "Error: invalid config provided: cannot set hostname when joining the pod UTS namespace" \
  "$(P run --rm --pod app --hostname x $IMG true 2>&1)"
check_refused "--pod of a missing pod" "Error: no pod with name or ID nosuch found: no such pod" \
  "$(P run --rm --pod nosuch $IMG true 2>&1)"
check "pod ps: two containers" "2 Running" "$(P pod ps --format '{{.NumberOfContainers}} {{.Status}}')"

# --- stop, start again, kill ---
check "pod stop" "$ID" "$(P pod stop -t 2 app)"
check "pod ps: exited" "Exited" "$(P pod ps --format '{{.Status}}')"
check "the supervisor is gone" "gone" "$(wait_for gone alive $SUP)"
check "the infra process is gone" "gone" "$(alive $INFRA_PID)"
check "the stopped pod's port is closed" "failed" "$(curl -sf --max-time 2 http://127.0.0.1:$PORT/ || echo failed)"
check "stopped: no lease" "0" "$(leases)"
check "pod start brings all back" "$ID" "$(P pod start app)"
check "the port serves again" "hello-web" "$(get_up http://127.0.0.1:$PORT/)"
check "pod restart" "$ID" "$(P pod restart app)"
check "pod restart: running" "Running" "$(P pod ps --format '{{.Status}}')"
check "pod kill" "$ID" "$(P pod kill app)"
check "pod kill: every container exits" "Exited" "$(wait_for Exited P pod ps --format '{{.Status}}')"
check "pod start after kill" "$ID" "$(P pod start app)"

# --- rm ---
MEMBERS=$(P ps --no-trunc --filter pod=$ID --format '{{.ID}} {{.IsInfra}}' | awk '$2 == "false" { print $1 }' | sort)
check_refused "pod rm of a running pod without -f: podman's words, a line per running member" \
  "Error: not all containers could be removed from pod $ID: removing pod containers
$(for m in $MEMBERS; do echo "Error: cannot remove container $m as it is running - running or paused containers cannot be removed without force: container state improper"; done)" \
  "$(P pod rm app 2>&1 | { read -r first; echo "$first"; sort; })"
check "pod rm: a missing pod is 1" "1" "$(status P pod rm nosuch)"
check "pod rm --ignore: a missing pod is fine" "0" "$(status P pod rm --ignore nosuch)"
check "pod rm --force: a missing pod is fine too (podman)" "0" "$(status P pod rm --force nosuch)"
PIDS="$(cat "$T/app.pid") $(P inspect --format '{{.State.Pid}}' app-infra) $(P inspect --format '{{.State.Pid}}' web)"
check "before rm: a lease, a veth, the port's rules" "1 1 yes" \
  "$(echo $(leases) $(veths) $([ "$(rules_for $PORT)" -gt 0 ] && echo yes || echo no))"
check "pod rm -f" "$ID" "$(P pod rm -f -t 0 app)"
check "pod rm -f: no process left" "gone gone gone" "$(for p in $PIDS; do wait_for gone alive $p; echo; done | tr '\n' ' ' | sed 's/ $//')"
check "pod rm -f: no veth" "0" "$(veths_settled)"
check "pod rm -f: no nft rule for the port" "0" "$(rules_for $PORT)"
check "pod rm -f: no lease" "0" "$(leases)"
check "pod rm -f: no container record or run dir" "0 0" \
  "$(echo $(P ps -a -q | count_matching .) $(ls "$T/run/containers" | count_matching .))"
check "pod rm -f: the pod is gone" "1" "$(status P pod exists app)"
check "the port is closed" "failed" "$(curl -sf --max-time 2 http://127.0.0.1:$PORT/ || echo failed)"

# --- exit policies ---
P pod create --name keep --network lan >/dev/null && P pod start keep >/dev/null
check "continue: a member exits" "0" "$(P run --pod keep $IMG true; echo $?)"
check "continue: the pod stays up (degraded)" "Degraded" "$(P pod ps --filter name=keep --format '{{.Status}}')"
P pod create --name once --exit-policy stop --network lan --infra-conmon-pidfile "$T/once.pid" >/dev/null
P pod start once >/dev/null
SUP=$(cat "$T/once.pid")
check_match "stop: a member runs" '^[0-9a-f]{64}$' "$(P run -d --pod once $IMG sleep 1)"
check "stop: the pod stops once its last member exited" "Exited" \
  "$(wait_for Exited P pod ps --filter name=once --format '{{.Status}}')"
check "stop: the infra's supervisor exited" "gone" "$(wait_for gone alive $SUP)"
check "stop: no lease is left" "1" "$(leases)"  # keep's infra holds the other
check "pod prune removes the stopped pod only" "$(P pod inspect --format '{{.ID}}' once)" "$(P pod prune -f)"
check "... keeping the running one" "keep" "$(P pod ps --format '{{.Name}}')"

# --- a member removed while `pod stop` runs: under systemd each member's
# own unit stops and removes it while the pod's unit runs `pod stop` ---
P pod create --name race --network lan >/dev/null && P pod start race >/dev/null
P run -d --pod race --name race-a $IMG sleep 1000 >/dev/null
P run -d --pod race --name race-b $IMG sleep 1000 >/dev/null  # stopped first; ignores SIGTERM as pid 1
P pod stop -t 3 race >"$T/race.out" 2>"$T/race.err" & STOPPER=$!
sleep 1
P rm -f -t 0 race-a >/dev/null
wait $STOPPER; RC=$?
RACE_ID=$(P pod inspect --format '{{.ID}}' race)
check "pod stop while a member is removed: it stops the rest and exits 0" \
  "0 $RACE_ID" "$(echo $RC $(cat "$T/race.out"))"
check "... and the pod is stopped" "Exited" "$(P pod ps --filter name=race --format '{{.Status}}')"
check "pod rm -a -f" "0" "$(status P pod rm -a -f -t 0)"
check "no pod left" "" "$(P pod ps -q)"

# --- pods without --name: each gets a free name under the pods' lock (two
# `pod create`s used to draw the same one and the second failed) ---
for i in $(seq 40); do P pod create --network lan >/dev/null; done
check "forty pods without --name: forty distinct names" "40" \
  "$(P pod ps --format '{{.Name}}' | sort -u | count_matching .)"
ANON=$(P pod ps --format '{{.Name}}' | head -n 1)
check "a nameless pod's host name is the name it was given" "$ANON" \
  "$(P run --rm --pod "$ANON" $IMG hostname)"
check "... removed with pod rm -a -f" "0" "$(status P pod rm -a -f -t 0)"

# --- --pod-id-file, new: ---
P pod create --pod-id-file "$T/pod.id" --name byfile >/dev/null
check "--pod-id-file: run joins that pod" "byfile" \
  "$(P run --rm --pod-id-file "$T/pod.id" $IMG hostname)"
check "pod rm --pod-id-file" "0" "$(status P pod rm -f --pod-id-file "$T/pod.id")"
check "... removes the pod" "1" "$(status P pod exists byfile)"
check "run --pod new:NAME makes the pod, the ports go to it" "fresh 127.0.0.1:$PORT->80/tcp" \
  "$(P run -d --pod new:fresh --network lan -p 127.0.0.1:$PORT:80 $IMG true >/dev/null &&
     P pod inspect --format '{{.Name}} {{index .InfraConfig.PortBindings 0}}' fresh)"
check "rm -a -f removes pods with their infra" "0 0" \
  "$(P rm -a -f -t 0 >/dev/null; echo $(P ps -a -q | count_matching .) $(P pod ps -q | count_matching .))"

# --- Quadlet's .pod service, as the generator writes it ---
if [ -n "$GENERATOR" ]; then
  U=$T/units; mkdir -p "$U"
  printf '[Network]\nSubnet=10.93.0.0/24\n' > "$U/qnet.network"
  printf '[Pod]\nNetwork=qnet.network\nPublishPort=127.0.0.1:18081:80\n' > "$U/qpod.pod"
  OUT=$(QUADLET_UNIT_DIRS=$U "$GENERATOR" --dryrun 2>/dev/null)
  # ExecX= of a generated service, podunit's path replaced by this build on
  # this store, and %t/%N expanded as systemd would.
  line () { printf '%s\n' "$OUT" | sed -n "/^---$1---/,/^---/p" | sed -n "s/^$2=//p" |
            sed -e "s|^-||; s|^[^ ]*podunit |P |; s|%t|$T|g; s|%N|${1%.service}|g"; }
  eval "$(line qnet-network.service ExecStart)" >/dev/null
  check_match "the generated ExecStartPre (pod create)" '^[0-9a-f]{64}$' \
    "$(eval "$(line qpod-pod.service ExecStartPre)")"
  check "the generated ExecStart (pod start)" "0" "$(eval "$(line qpod-pod.service ExecStart)" >/dev/null; echo $?)"
  check "PIDFile= holds the infra's supervisor" "podunit-supervi" \
    "$(wait_for podunit-supervi cat /proc/$(cat "$T/qpod-pod.pid")/comm)"
  check_match "a member as Quadlet runs it (Pod=qpod.pod)" '^[0-9a-f]{64}$' \
    "$(P run --name systemd-qweb --replace --rm --cgroups=enabled -d --pod systemd-qpod --init $IMG sh -c "$WEB" qweb)"
  check "the .pod's PublishPort reaches it" "hello-qweb" "$(get_up http://127.0.0.1:18081/)"
  check "the generated ExecStop (pod stop)" "0" "$(eval "$(line qpod-pod.service ExecStop)" >/dev/null; echo $?)"
  check "the generated ExecStopPost (pod rm)" "0" "$(eval "$(line qpod-pod.service ExecStopPost)" >/dev/null; echo $?)"
  check "... leaves nothing" "0 0 0 0" \
    "$(echo $(P ps -a -q | count_matching .) $(leases) $(veths_settled) $(rules_for 18081))"
  check "ExecStopPost again (--ignore)" "0" "$(eval "$(line qpod-pod.service ExecStopPost)" >/dev/null; echo $?)"
fi

# --- a pod whose members exited: pod rm without -f (its infra stops with it) ---
P pod create --name ex >/dev/null
P run --rm --pod ex $IMG true
check "pod rm of a pod whose only running container is its infra" "ok" \
  "$(P pod rm ex >/dev/null && echo ok)"

# --- --share: which of the infra's namespaces the members join ---
ns_of () { readlink "/proc/$(P inspect --format '{{.State.Pid}}' "$1")/ns/$2"; }
infra_of () { P pod inspect --format '{{.InfraContainerID}}' "$1"; }
check_refused "--share of an unknown namespace: podman's words" \
  "Error: invalid kernel namespace to share: bogus. Options are: cgroup, ipc, net, pid, uts or none" \
  "$(P pod create --share bogus 2>&1)"
check "... status 125" "125" "$(status P pod create --share bogus)"
check "--share +pid adds to the default" "[ipc net uts pid]" \
  "$(P pod create --share +pid --name sp >/dev/null && P pod inspect sp --format '{{.SharedNamespaces}}')"
P run -d --pod sp --name sp1 $IMG sleep 1001 >/dev/null
check "a member of a pid-sharing pod sees the infra and the other members" "podunit-pause ps sleep" \
  "$(P run --rm --pod sp $IMG ps -o comm | sed 1d | sort | xargs)"
check "... the infra is its pid 1" "1 podunit-pause" \
  "$(P run --rm --pod sp $IMG ps -o pid,comm | awk '$1 == 1 { print $1, $2 }')"
check "pod top: one pid namespace, listed once" "podunit-pause sleep" \
  "$(P pod top sp comm | sed 1d | sort | xargs)"
P pod create --name dp >/dev/null
check "without pid in --share each member has its own" "1 ps" \
  "$(P run --rm --pod dp $IMG ps -o pid,comm | sed 1d | xargs)"
P pod rm -f -t 0 sp dp >/dev/null
P pod create --share ipc,cgroup --name si >/dev/null
P pod start si >/dev/null
P run -d --pod si --name si1 $IMG sleep 1002 >/dev/null
I=$(infra_of si)
check "--share ipc,cgroup: those namespaces are the infra's" "same same" \
  "$([ "$(ns_of si1 ipc)" = "$(ns_of $I ipc)" ] && echo same) $([ "$(ns_of si1 cgroup)" = "$(ns_of $I cgroup)" ] && echo same)"
check "... network, UTS and pid are its own" "own own own" \
  "$(for k in net uts pid; do [ "$(ns_of si1 $k)" != "$(ns_of $I $k)" ] && echo own; done | xargs)"
check "--hostname works without a shared UTS namespace (podman's test)" "foobar" \
  "$(P run --rm --pod si --hostname foobar $IMG hostname)"
P pod rm -f -t 0 si >/dev/null
# The first member's `run` starts the infra in a child process: the
# member's MAC and veth are its own (they were the infra's, and run failed
# with "creating veth pair ...: File exists").
P pod create --share ipc --network lan --name sn2 >/dev/null
# (No --name: drawing a name seeded glib's generator before the fork.)
SN2A=$(P run -d --pod sn2 --network lan $IMG sleep 1003)
check "a member on the pod's network without sharing it: the first run works" "0" "$?"
check "... its MAC is not the infra's" "differ" \
  "$(m () { nsenter -t "$1" -n ip -o link show eth0 | grep -o "link/ether [^ ]*"; }
     a=$(m "$(P inspect --format '{{.State.Pid}}' "$SN2A")") i=$(m "$(P inspect --format '{{.State.Pid}}' "$(infra_of sn2)")")
     [ -n "$a" ] && [ -n "$i" ] && [ "$a" != "$i" ] && echo differ)"
P pod rm -f -t 0 sn2 >/dev/null
check "--share none: no infra" "0 []" \
  "$(P pod create --share none --name sn >/dev/null && P pod inspect sn --format '{{.NumContainers}} {{.SharedNamespaces}}')"
P pod rm sn >/dev/null

# --- --infra=false: members in a pod, sharing nothing ---
NF=$(P pod create --infra=false --name nf)
check "--infra=false: a pod without an infra" "nf Created 0 ''" \
  "$(P pod ps --filter name=nf --format "{{.Name}} {{.Status}} {{.NumberOfContainers}} '{{.InfraID}}'")"
P run -d --pod nf --name nf1 $IMG sleep 1003 >/dev/null
P run -d --pod nf --name nf2 $IMG sleep 1004 >/dev/null
check "pod top: both members, in pid namespaces of their own" "1 sleep|1 sleep" \
  "$(P pod top nf pid comm | sed '1d; s/  */ /g; s/^ //; s/ $//' | paste -sd'|')"
check "pod stop and start without an infra" "$NF $NF Running" \
  "$(echo $(P pod stop -t 0 nf) $(P pod start nf) $(P pod ps --filter name=nf --format '{{.Status}}'))"
check_refused "--infra-image without an infra is refused" \
  "Error: cannot set --infra-image without an infra container (--infra=false)" \
  "$(P pod create --infra=false --infra-image $IMG 2>&1)"
check "pod rm -f" "$NF" "$(P pod rm -f -t 0 nf)"

# --- --infra-image: the infra runs the image's command ---
printf 'FROM %s\nENTRYPOINT ["sleep", "1006"]\n' $IMG | P build -q -t localhost/infra-img - >/dev/null
II=$(P pod create --network lan --infra-image localhost/infra-img -p 127.0.0.1:18082:80 --name ii)
check "--infra-image: the pod starts" "$II" "$(P pod start ii)"
check "... its infra runs the image's entrypoint" "sleep 1006 localhost/infra-img" \
  "$(P ps --filter pod=ii --format '{{.Command}} {{.Image}}')"
P run -d --pod ii --name ii1 $IMG sh -c "$WEB" ii1 >/dev/null
check "... members share its network: the pod's port reaches one" "hello-ii1" \
  "$(get_up http://127.0.0.1:18082/)"
check_match "rmi of the infra's image: in use (podman's status 2)" \
  "^2 Error: image used by [0-9a-f]{64}: image is in use by a container" \
  "$(failing P rmi localhost/infra-img)"
P pod stop -t 0 ii >/dev/null
check "rmi -f removes the pod with it" "0 0" \
  "$(P rmi -f localhost/infra-img >/dev/null; echo $(P ps -a --filter pod=ii -q | count_matching .) $(P pod ps -q | count_matching .))"
check "--infra-command overrides the image's command" "sleep 1007" \
  "$(P pod create --infra-image $IMG --infra-command 'sleep 1007' --name ic >/dev/null && P pod start ic >/dev/null && P ps --filter pod=ic --format '{{.Command}}')"
P pod rm -f -t 0 ic >/dev/null

# --- rm of what others join: --depend ---
IC=$(P create --pod new:dpod $IMG true)
INF=$(infra_of dpod)
check_refused "rm of a pod's infra: podman's refusal" \
  "Error: container $INF is the infra container of pod $(P pod inspect --format '{{.ID}}' dpod) and cannot be removed without removing the pod" \
  "$(P rm $INF 2>&1)"
check_refused "... with --force too" \
  "Error: container $INF is the infra container of pod $(P pod inspect --format '{{.ID}}' dpod) and cannot be removed without removing the pod" \
  "$(P rm -f $INF 2>&1)"
check "rm --depend of the infra removes the pod, members first" "$IC $INF" \
  "$(echo $(P rm --depend $INF))"
check "... the pod is gone" "1" "$(status P pod exists dpod)"
D=$(P create --name base $IMG sleep 60)
J=$(P create --name joiner --network container:base $IMG true)
check_refused "rm of a container another joins: podman's refusal" \
  "Error: container $D has dependent containers which must be removed before it: $J: container already exists" \
  "$(P rm base 2>&1)"
check "... status 125" "125" "$(status P rm base)"
check "rm --depend removes the dependent first" "$J base" "$(echo $(P rm --depend base))"
check "... both gone" "" "$(P ps -a --filter name=base --filter name=joiner -q)"

echo "1..$n"
[ "$fails" = 0 ]
