#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# What scripts read from podunit's help and completion, as podman's (cobra):
# help / GROUP --help list the commands under "Available Commands:", the
# program names itself after argv[0], __complete suggests --format fields;
# history of an image; `podman`, podman's default network's name, names
# podunit's; pflag's optional values (-H, --tls-verify IMAGE); stats and pod
# stats of running containers; events (podman's file backend).
# Usage: test-help.sh PODUNIT   (needs root; prints "ok"/"not ok" lines)
set -u
PODUNIT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi
. "$HERE/lib.sh"
private_store help
commands () { awk '/^Available Commands:/{ok=1;next}/^Options:/{ok=0}ok { print $1 }'; }

check "help lists groups and verbs, sorted" "artifact auto-update build commit" \
  "$(P help | commands | head -4 | tr '\n' ' ' | sed 's/ $//')"
check "help: no alias, no internal verb" "0" \
  "$({ P help container; P help image; } | commands | count_matching '^(list|cleanup|poststop|unmount)$')"
check "GROUP --help: usage with [command]" "  podunit pod [command]" \
  "$(P pod --help | grep -A1 '^Usage:' | tail -1)"
check "called as podman, it says podman" "  podman system connection [command]" \
  "$(bash -c 'exec -a podman "$0" "$@"' "$PODUNIT" system connection --help | grep -A1 '^Usage:' | tail -1)"
check "help GROUP = GROUP --help" "$(P volume --help)" "$(P help volume)"
check "a group alone: its help on stderr, 125" "125 Error: missing command 'podunit pod COMMAND'" \
  "$(P pod 2>&1 >/dev/null | tail -1 | sed 's/^/125 /'; [ "${PIPESTATUS[0]}" = 125 ])"
check "an unknown command, and podman's pointer to the group's help" "125 Error: unrecognized command \`podunit pod frob\`
Try 'podunit pod --help' for more information" "$(failing P pod frob)"
check "help VERB is VERB --help" "$(P ps --help)" "$(P help ps)"
check_match "VERB --help: usage, exit 0" "^  podunit artifact push \\[OPTION.\\] ARTIFACT$" \
  "$(P artifact push --help | grep -A1 '^Usage:' | tail -1)"
check "__complete --format suggests the fields" "{{.Names}} :6" \
  "$(P __completeNoDesc ps --format '{{.Nam' | tr '\n' ' ' | sed 's/ $//')"
check "__complete elsewhere: the default directive" ":0" "$(P __complete ps --all)"

# --- history ---
ID=$(P images --no-trunc --format '{{.ID}}' | head -1 | sed 's/sha256://')
check "history: podman's columns, the image id on top" "ID CREATED CREATED BY SIZE COMMENT|${ID:0:12}" \
  "$(P history $IMG | head -1 | tr -s ' ')|$(P history -q $IMG | head -1)"
check "history -qH --no-trunc: full ids" "$ID" "$(P history -qH --no-trunc $IMG | head -1)"
check_match "history --human=false: RFC 3339 times" "^[0-9-]+T[0-9:]+(Z|[+-][0-9:]+)$" \
  "$(P history --human=false --format '{{.Created}}' $IMG | head -1)"
check "history json: id, size, tags" "$ID true" \
  "$(P history --format json $IMG | python3 -c 'import json,sys; h=json.load(sys.stdin)[0]; print(h["id"], str(isinstance(h["size"], int) and h["tags"] != []).lower())')"
check "history of a missing image" "125 Error: nope: image not known" "$(failing P history nope)"
check "-H with a bad value (pflag's words, podman's help pointer)" "125 Error: history: invalid argument \"maybe\" for \"-H, --human\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax
See 'podunit history --help'" \
  "$(failing P history -H=maybe $IMG)"

# --- the default network's podman name ---
check "network inspect podman: the default network" "podunit" "$(P network inspect --format '{{.Name}}' podman)"
P network create podman >/dev/null
check "a network called podman is that network" "podman" "$(P network inspect --format '{{.Name}}' podman)"
P network rm podman >/dev/null

# --- stats ---
P run -d --name busy $IMG sh -c 'while :; do :; done' >/dev/null
P pod create --name sp >/dev/null
P run -d --pod sp --name idle $IMG sleep 1000 >/dev/null
sleep 1
check "stats: podman's columns" "ID NAME CPU % MEM USAGE / LIMIT MEM % NET IO BLOCK IO PIDS CPU TIME AVG CPU %" \
  "$(P stats --no-stream | head -1 | tr -s ' ')"
check "stats lists the running containers only" "busy idle infra" \
  "$(P stats --no-stream --format '{{.Name}}' | sed 's/.*-infra$/infra/' | sort | tr '\n' ' ' | sed 's/ $//')"
check_match "a busy container uses CPU time, one process, some memory" "^[1-9][0-9]* 1 [1-9][0-9]*$" \
  "$(P stats --no-stream --format json busy | python3 -c 'import json,sys; s=json.load(sys.stdin)[0]; print(s["CPUNano"] // 10**7, s["PIDs"], s["MemUsage"])')"
check "stats {{\"\\n\"}}: newlines only" "" "$(P stats --no-stream --format '{{"\n"}}')"
check "pod stats: the pod's running containers" "POD CID NAME CPU % MEM USAGE/ LIMIT MEM % NET IO BLOCK IO PIDS|idle sp-infra" \
  "$(P pod stats --no-stream | head -1 | tr -s ' ')|$(P pod stats --no-stream --format '{{.Name}}' sp | sed 's/.*-infra$/sp-infra/' | sort | tr '\n' ' ' | sed 's/ $//')"
check "stats of a missing container" "125" "$(failing P stats --no-stream nope | cut -d' ' -f1)"
P pod rm -f -t0 sp >/dev/null
P rm -f -t0 busy >/dev/null

# --- events ---
P run --rm --name evfg $IMG true
P run -d --name evbg $IMG sh -c 'exit 3' >/dev/null
P wait evbg >/dev/null
P rm evbg >/dev/null
check "events: a foreground run, podman's lines" "create start died remove" \
  "$(P events --stream=false --filter container=evfg | sed -n 's/.* UTC container \([a-z]*\) [0-9a-f]\{64\} (image=localhost\/busybox:latest, name=evfg)$/\1/p' | tr '\n' ' ' | sed 's/ $//')"
check "events: the supervisor's died, named, with the exit code" "create 0|start 0|died 3|remove 0" \
  "$(P events --stream=false --events-backend=file --filter container=evbg --format '{{.Status}} {{.ContainerExitCode}}' | tr '\n' '|' | sed 's/|$//')"
check "events --filter event=died --format json" "evfg evbg" \
  "$(P events --stream=false --filter event=died --filter container=evfg --filter container=evbg --format json | python3 -c 'import json,sys; print(" ".join(json.loads(l)["Name"] for l in sys.stdin))')"
check "events --until in the past: nothing" "" "$(P events --stream=false --until 2000-01-01T00:00:00Z)"
check "events: a bad filter" "125 Error: invalid filter \"colour=red\" (container=, event=, image=, type=)" \
  "$(failing P events --stream=false --filter colour=red)"

echo "1..$n"
exit $((fails > 0))
