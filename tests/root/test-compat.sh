#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root tests of what podman's own system tests (issue 12) showed podunit
# doing differently from podman: each check is the behaviour a podman user
# sees, found through one of those tests and kept here so it stays.
# Usage: test-compat.sh PODUNIT   (needs root; prints "ok"/"not ok" lines)
set -u
PODUNIT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi

. "$HERE/lib.sh"
private_store test-compat

# --- stop: the "stopping" state, --timeout ---
P run -d --name stopme $IMG sh -c 'trap "echo got TERM" TERM; echo READY; while :; do sleep 0.2; done' >/dev/null
for i in $(seq 50); do P logs stopme | grep -q READY && break; sleep 0.1; done
P stop -t 4 stopme >/dev/null 2>&1 &
stopper=$!
for i in $(seq 50); do P logs stopme | grep -q "got TERM" && break; sleep 0.1; done
check "a container that ignores the stop signal is stopping" "stopping true" \
  "$(P inspect --format '{{.State.Status}} {{.State.Running}}' stopme)"
wait $stopper
check "then exited, killed" "exited 137" "$(P inspect --format '{{.State.Status}} {{.State.ExitCode}}' stopme)"
check_ok "it starts again" P start stopme
check "started again it is running, not stopping" "running" "$(P inspect --format '{{.State.Status}}' stopme)"
check "stop --timeout (podman's alias of --time)" "stopme" "$(P stop --timeout=0 stopme 2>/dev/null)"
P rm -f stopme >/dev/null

# --- --restart: the supervisor starts it again ---
onfail=$(P run -d --restart=on-failure:2 --name onfail $IMG false)
# settled: counted twice and no supervisor left (the last one starts nothing)
for i in $(seq 200); do
  [ "$(P inspect --format '{{.RestartCount}}' onfail)" = 2 ] && ! pgrep -f "podunit-supervisor --id=$onfail" >/dev/null && break
  sleep 0.1
done
check "on-failure:2: started again twice, then left exited" "2 exited 1 on-failure 2" \
  "$(P inspect --format '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}' onfail)"
P rm -f onfail >/dev/null
P run -d --restart=on-failure --name onok $IMG true >/dev/null
P wait onok >/dev/null; sleep 0.3
check "on-failure: a 0 exit is not started again" "0 exited" "$(P inspect --format '{{.RestartCount}} {{.State.Status}}' onok)"
P rm -f onok >/dev/null
P run -d --restart=always --name always $IMG sh -c 'echo up; exit 3' >/dev/null
check "always: wait returns the exit status" "3" "$(timeout 20 "$PODUNIT" --root "$T/root" --runroot "$T/run" wait always)"
for i in $(seq 50); do [ "$(P inspect --format '{{.RestartCount}}' always)" -ge 2 ] && break; sleep 0.1; done
check_match "always: started again and again" "^([2-9]|[1-9][0-9]+)$" "$(P inspect --format '{{.RestartCount}}' always)"
P rm -f -t0 always >/dev/null
P run -d --restart=always --name alwaysrun $IMG sleep 60 >/dev/null
P stop -t0 alwaysrun >/dev/null 2>&1; sleep 0.3
check "always: a stop is not undone" "0 exited" "$(P inspect --format '{{.RestartCount}} {{.State.Status}}' alwaysrun)"
P rm -f alwaysrun >/dev/null
check_refused "--rm with --restart=always is refused" \
  "Error: the --rm option conflicts with --restart, when the restartPolicy is not \"\" and \"no\"" \
  "$(P run --rm --restart=always $IMG true 2>&1)"
check_match_refused "a bad --restart is named" "^Error: --restart bogus: invalid restart policy" "$(P run --restart=bogus $IMG true 2>&1)"

# --- start --filter ---
a1=$(P create --name fa1 --restart=no $IMG true)
a2=$(P create --name fa2 $IMG true)
check "start --filter without names starts the matches, by id" "$a1" "$(P start --filter restart-policy=no)"
check "start --filter restart-policy=none: no --restart given" "$a2" "$(P start --filter restart-policy=none)"
P wait fa1 fa2 >/dev/null
check "start --filter with names: those that match, as given" "fa2" "$(P start --filter restart-policy=none fa1 fa2)"
P wait fa2 >/dev/null
check_refused "start --filter of an unknown policy" "Error: fakepolicy invalid restart policy" \
  "$(P start --filter restart-policy=fakepolicy fa1 2>&1)"
check "ps --filter restart-policy" "fa1" "$(P ps -a --filter restart-policy=no --format '{{.Names}}')"
P rm -f fa1 fa2 >/dev/null

# --- --latest ---
P create --name first $IMG true >/dev/null
P create --name second $IMG true >/dev/null
check "ps --sort created: oldest first, within the same second too" "first second" "$(P ps -a --sort created --format '{{.Names}}' | tr '\n' ' ' | sed 's/ $//')"
P rm -l >/dev/null
check "rm -l removes the container created last, even within the same second" "first" "$(P ps -a --format '{{.Names}}')"
P rm first >/dev/null

# --- inspect: what it found, then an error for each name it did not ---
check "inspect of a missing name: [] on stdout" "[]" "$(P inspect nosuch 2>/dev/null; true)"
check_match "... then the error, status 125" "^125 \\[\\] ?Error: no such object: \"nosuch\"" "$(failing P inspect nosuch | tr '\n' ' ')"
check_match "container inspect names a container" "^125 \\[\\] ?Error: no such container \"nosuch\"" "$(failing P container inspect nosuch | tr '\n' ' ')"
P tag $IMG localhost/other/name >/dev/null
cid=$(P create localhost/other/name)
check "ImageName is the name created from, with its tag" "localhost/other/name:latest" "$(P inspect --format '{{.ImageName}}' $cid)"
check "inspect has one ImageName" "1" "$(P inspect $cid | grep -c '"ImageName"')"
P rm $cid >/dev/null

check_refused "images --filter without KEY=VALUE: podman's words" \
  "Error: invalid image filter \"json\": must be in the format \"filter=value or filter!=value\"" \
  "$(P image list -f json 2>&1)"

# --- names: Docker's "/NAME" is NAME ---
check_ok "create --name /NAME" P create --name /slashed $IMG true
check "listed as NAME, found by the name filter ^/NAME$" "slashed" "$(P ps -a --filter 'name=^/slashed$' --format '{{.Names}}')"
check_ok "rm /NAME" P rm /slashed
check_match_refused "a name with a '/' inside is refused" "^Error: .*names must match" "$(P create --name 'a/b' $IMG 2>&1)"

# --- run: environment ---
check "--unsetenv drops a default variable" "0 container=podman" \
  "$(P run --rm --unsetenv PATH $IMG /bin/env >"$T/env" && count_matching '^PATH=' <"$T/env") $(grep '^container=' "$T/env")"
check "--unsetenv-all keeps only -e" "TERM=abc" "$(P run --rm --unsetenv-all -e TERM=abc $IMG /bin/env | grep -v '^HOME=\|^HOSTNAME=')"
check_match "--kernel-memory warns, as podman's logrus without a terminal, and runs" \
  '^time="[0-9-]+T[0-9:]+(Z|[+-][0-9:]+)" level=warning msg="The --kernel-memory flag is no longer supported. This flag is a noop." ok$' \
  "$(P run --rm --kernel-memory 100 $IMG echo ok 2>&1 | tr '\n' ' ' | sed 's/ $//')"
check "--log-level=trace logs trace, debug and info lines" "trace info debug " \
  "$(P --log-level=trace version 2>&1 >/dev/null | sed -n 's/^time=[^ ]* level=\([a-z]*\) .*/\1/p' | sort -ru | tr '\n' ' ')"
check "--log-level=info logs the level it filters at" \
  "level=info msg=\"$PODUNIT filtering at log level info\"" "$(P --log-level=info version 2>&1 >/dev/null | sed 's/^time=[^ ]* //')"
check "--log-level=warn logs nothing on success" "" "$(P --log-level=warn version 2>&1 >/dev/null)"
check "--log-level=debug: the last line is podman's \"Shutting down engines\"" "level=debug msg=\"Shutting down engines\"" \
  "$(P --log-level=debug run --rm $IMG true 2>&1 | tail -1 | sed 's/^time=[^ ]* //')"
check_match "... also after a failed run (125)" '^125 .*level=debug msg="Shutting down engines"$' \
  "$(failing P --log-level=debug run dockah://rien.de/rien:latest | tr '\n' ' ' | sed 's/ $//')"
check "--debug with --log-level is refused with status 1, as podman" "1 Setting --log-level and --debug is not allowed" \
  "$(failing P --debug --log-level=panic version)"
check "--memory 0 is no limit: no warning" "hello" "$(P run --rm --memory=0 $IMG echo hello 2>&1)"
check "--detach-keys \"\" (podunit has no detach sequence)" "ok" "$(P run --rm --detach-keys= $IMG echo ok)"
check_match_refused "another --detach-keys is refused by name" "^Error: --detach-keys ctrl-a:" "$(P run --rm --detach-keys=ctrl-a $IMG true 2>&1)"

printf 'simple=value1\n\n# Comments ignored\n' >"$T/labels1,withcomma"
printf 'simple=abc\nspecial=bcd#e!f|g hij=lmnop\nquoted="q"\n' >"$T/labels2"
P create --name lf --label-file "$T/labels1,withcomma" --label-file "$T/labels2" -l extra=1 $IMG >/dev/null
check "--label-file: KEY=VALUE as written, a later file wins, -l too" 'abc|bcd#e!f|g hij=lmnop|"q"|1' \
  "$(P inspect lf --format '{{index .Config.Labels "simple"}}|{{index .Config.Labels "special"}}|{{index .Config.Labels "quoted"}}|{{index .Config.Labels "extra"}}')"
P rm lf >/dev/null
check_match_refused "--label-file of a missing file names it" "^Error: --label-file: .*nosuch" "$(P create --label-file "$T/nosuch" $IMG 2>&1)"

# --- run: errors podman's way ---
check_match "a directory as the command: 126, exec ... permission denied" "^126 Error: exec /etc: permission denied" "$(failing P run --rm $IMG /etc)"
mkdir -p "$T/emptyroot"
check "--rootfs without a command: 127 at exec, as podman with crun" \
  "127 Error: executable file \`\` not found in \$PATH: No such file or directory" "$(failing P run --rm --rootfs "$T/emptyroot")"
check_match "a missing workdir given with -w: 126" "^126 Error: workdir \"/i/do/not/exist\" does not exist on container" \
  "$(failing P run --rm -w /i/do/not/exist $IMG pwd)"
mkdir -p "$T/vol" && echo content > "$T/vol/f"
check "-w of a volume's destination" "content" "$(P run --rm -w /NotInImage -v "$T/vol:/NotInImage" $IMG cat f)"
check "-w of a directory a volume's file creates" "content" "$(P run --rm -w /NotInImage2 -v "$T/vol/f:/NotInImage2/f" $IMG cat f)"
check_refused "--ulimit soft unlimited above a hard limit: podman's message" \
  "Error: ulimit option \"core=-1:1000\" requires name=SOFT:HARD, failed to be parsed: ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 1000" \
  "$(P run --rm --ulimit core=-1:1000 $IMG true 2>&1)"

# --- containers.conf ---
cat >"$T/cc.conf" <<CONF
# podman's containers.conf(5): only keys podunit knows apply ([engine] runtime is podman's choice of runtime: not read)
[containers]
read_only=true
default_ulimits = [
  "nofile=5359:5359",
]
env = ["FROMCONF=yes"]
oom_score_adj = $(( $(cat /proc/self/oom_score_adj) + 2 ))
log_driver = "k8s-file"
log_size_max = 400000000
[engine]
runtime = "crun"
CONF
CC () { CONTAINERS_CONF_OVERRIDE="$T/cc.conf" P "$@"; }
check_match "read_only=true: the root is read-only" "Read-only file system" "$(CC run --rm $IMG touch /x 2>&1; true)"
check_ok "... and --read-only=false turns it off" CC run --rm --read-only=false $IMG touch /x
check_match "default_ulimits" "Max open files +5359 +5359 " "$(CC run --rm $IMG grep 'Max open files' /proc/self/limits)"
check_match "... --ulimit wins" "Max open files +300 +300 " "$(CC run --rm --ulimit nofile=300:300 $IMG grep 'Max open files' /proc/self/limits)"
check "env" "yes" "$(CC run --rm $IMG sh -c 'echo $FROMCONF')"
check "oom_score_adj" "$(( $(cat /proc/self/oom_score_adj) + 2 ))" "$(CC run --rm $IMG cat /proc/self/oom_score_adj)"
check "... --oom-score-adj wins" "$(( $(cat /proc/self/oom_score_adj) + 3 ))" \
  "$(CC run --rm --oom-score-adj $(( $(cat /proc/self/oom_score_adj) + 3 )) $IMG cat /proc/self/oom_score_adj)"
check "without containers.conf the caller's oom_score_adj is kept" "$(cat /proc/self/oom_score_adj)" "$(P run --rm $IMG cat /proc/self/oom_score_adj)"
CC create --name lsm $IMG true >/dev/null
check "log_size_max in inspect, podman's units" "400MB" "$(P inspect --format '{{.HostConfig.LogConfig.Size}}' lsm)"
CC create --name lsm2 --log-opt max-size=8000 $IMG true >/dev/null
check "--log-opt max-size= wins, decimal as podman" "8kB" "$(P inspect --format '{{.HostConfig.LogConfig.Size}}' lsm2)"
P rm lsm lsm2 >/dev/null
# found by the cli fuzzer: a size beyond gint64 overflowed the conversion
for size in 1e999 99999999999999999999k inf nan; do
  check "--log-opt max-size=$size is refused" \
    "125 Error: --log-opt max-size=$size: invalid size" "$(failing P create --log-opt max-size=$size $IMG true)"
done
P run -d --name small --log-opt max-size=2k $IMG sh -c 'for i in $(seq 200); do echo line-$i-0123456789012345678901234567890123456789; done' >/dev/null
P wait small >/dev/null
logsize=$(stat -c %s "$(P inspect --format '{{.HostConfig.LogConfig.Path}}' small)")
check "the k8s-file starts over at max-size (conmon): at most 2000 bytes" "yes" "$([ "$logsize" -gt 0 ] && [ "$logsize" -le 2000 ] && echo yes || echo "no: $logsize")"
check_match "... and holds the last lines" "line-200-" "$(P logs small | tail -1)"
P rm small >/dev/null
printf '[containers]\nread_only = "yes"\n' >"$T/bad.conf"
check_match_refused "a known key of the wrong type is an error naming file and key" \
  "^Error: $T/bad.conf: \\[containers\\] read_only: expected true or false" \
  "$(CONTAINERS_CONF_OVERRIDE="$T/bad.conf" P run --rm $IMG true 2>&1)"
printf '[containers]\nfloaty = 1.5\n' >"$T/subset.conf"
check_match "a file beyond the TOML subset is skipped with a warning, the run goes on" "level=warning msg=.*subset.conf:2:.*skipped.* ok$" \
  "$(CONTAINERS_CONF_OVERRIDE="$T/subset.conf" P run --rm $IMG echo ok 2>&1 | tr '\n' ' ' | sed 's/ $//')"
printf '[containers]\nenv = ["ONLY=this"]\n' >"$T/only.conf"
check "CONTAINERS_CONF is read instead of the system's files" "this" "$(CONTAINERS_CONF="$T/only.conf" P run --rm $IMG sh -c 'echo $ONLY')"
check_match "--read-only-tmpfs=false: /dev and /dev/shm are read-only too, as podman" \
  "^touch: /tmp/a: Read-only file system touch: /dev/c: Read-only file system touch: /dev/shm/d: Read-only file system touch: /run/e: Read-only file system $" \
  "$(P run --rm --read-only --read-only-tmpfs=false $IMG touch /tmp/a /dev/c /dev/shm/d /run/e 2>&1 | tr '\n' ' '; true)"
check "... --read-only alone: all of them writable" "ok" "$(P run --rm --read-only $IMG touch /tmp/a /dev/c /dev/shm/d /run/e && echo ok)"

# --- the container's / (containers/storage's layer root modes) ---
check "/ is 0555 when no layer's archive says otherwise (--rm and kept)" "555 555" \
  "$(P run --rm $IMG stat -c %a /) $(P run --name rootmode $IMG stat -c %a /; P rm rootmode >/dev/null)"
sh "$HERE/../images/make-busybox-oci.sh" "$T/rootmode.tar" --two-layer --root-mode 751 --name localhost/rootmode >/dev/null
P load -i "$T/rootmode.tar" >/dev/null
check "a layer's ./ entry sets /, a later layer without one keeps it" "751" "$(P run --rm localhost/rootmode stat -c %a /)"
P rmi localhost/rootmode >/dev/null

# --- fds: only stdio and --preserve-fds reach the container ---
echo passed-fd >"$T/fdfile"
check "the caller's other fds are closed in the container (stdio and ls's own only)" "0 1 2 3" \
  "$(P run --rm $IMG ls /proc/self/fd 4<"$T/fdfile" 7</dev/null | tr '\n' ' ' | sed 's/ $//')"
check "... also for --init's pid 1 (none of its fds is the caller's file)" "0" \
  "$(P run --rm --init $IMG sh -c 'ls -l /proc/1/fd/' 4<"$T/fdfile" | count_matching fdfile)"
check "--preserve-fds=2 passes fd 4 (fd 3 not open)" "passed-fd" "$(P run --rm --preserve-fds=2 $IMG sh -c 'cat <&4' 4<"$T/fdfile")"
check "... and under the supervisor (-d)" "passed-fd" \
  "$(id=$(P run -d --preserve-fds=2 $IMG sh -c 'cat <&4' 4<"$T/fdfile"); P wait $id >/dev/null; P logs $id; P rm $id >/dev/null)"
check "socket activation: LISTEN_FDS fds and variables reach the container" "1 1 web passed-fd" \
  "$(exec 3<"$T/fdfile"; LISTEN_FDS=1 LISTEN_FDNAMES=web PODUNIT="$PODUNIT" T="$T" IMG="$IMG" bash -c 'LISTEN_PID=$$ exec "$PODUNIT" --root "$T/root" --runroot "$T/run" run --rm "$IMG" sh -c "echo \$LISTEN_FDS \$LISTEN_PID \$LISTEN_FDNAMES \$(cat <&3)"')"

# --- /run/.containerenv ---
for opt in "" "--tmpfs=/run" "--read-only" "--init"; do
  check "/run/.containerenv exists, empty: run $opt" "0" "$(P run --rm $opt $IMG stat -c %s /run/.containerenv)"
done
check "... read-only" "ro" "$(P run --rm $IMG sh -c '(echo x > /run/.containerenv) 2>/dev/null && echo rw || echo ro')"
check "... not on a /run bound from the host" "absent" \
  "$(P run --rm -v "$T/vol:/run" $IMG sh -c '[ -e /run/.containerenv ] && echo present || echo absent')"
check "... nor left in the host's directory" "f" "$(ls "$T/vol")"
P run --name differ $IMG touch /added >/dev/null
check "diff leaves out what the runtime mounts (/run/.containerenv)" "A /added" "$(P diff differ | grep -v '^C /etc$')"
check "diff --format json -l: the latest container, podman's keys" '{"changed":["/etc"],"added":["/added"]}' \
  "$(P diff --format json -l | tr -d ' \n')"
P rm differ >/dev/null

# --- images: names history (podman's NamesHistory) ---
P run --name histc $IMG true >/dev/null
P commit -q histc histimg >/dev/null
P tag histimg hist1 && P rmi hist1 >/dev/null && P tag histimg hist2 && P rmi hist2 >/dev/null
check "images {{.History}}: the names it had, newest first, lost ones kept" \
  "localhost/histimg:latest, localhost/hist2:latest, localhost/hist1:latest" "$(P images histimg --format '{{.History}}')"
check "... image inspect .NamesHistory and images --format json .History the same" \
  "[localhost/histimg:latest localhost/hist2:latest localhost/hist1:latest] localhost/histimg:latest,localhost/hist2:latest,localhost/hist1:latest" \
  "$(P image inspect --format '{{.NamesHistory}}' histimg) $(P images --format json histimg | jq -r '.[0].History | join(",")')"
P rmi histimg >/dev/null; P rm histc >/dev/null
P run --name histc2 $IMG true >/dev/null
P commit -q histc2 histimg >/dev/null && P tag histimg histagain
check "... it goes with the image: a new image of that name starts afresh" \
  "localhost/histimg:latest, localhost/histagain:latest" "$(P images histimg --format '{{.History}}')"
P rmi -f histimg histagain >/dev/null 2>&1; P rm -f histc2 >/dev/null

# --- commit: --format docker, -m, the copy report ---
P run -d --name commitme $IMG sleep 100 >/dev/null
check_match "commit without -q: podman's copy report on stderr, the id on stdout" \
  "^Getting image source signatures Copying blob sha256:[0-9a-f]{64} skipped: already exists Copying blob sha256:[0-9a-f]{64} Copying config sha256:([0-9a-f]{64}) Writing manifest to image destination =\\1$" \
  "$(P commit commitme --format docker -m "a message" dockimg 2>"$T/commit.err" >"$T/commit.out"; tr '\n' ' ' <"$T/commit.err"; echo "=$(cat "$T/commit.out")")"
d=$(P image inspect --format '{{.Digest}}' dockimg)
check "--format docker -m: Docker's media types (the stored manifest), the message as the config's comment" \
  "application/vnd.docker.distribution.manifest.v2+json a message application/vnd.docker.container.image.v1+json application/vnd.docker.image.rootfs.diff.tar" \
  "$(P image inspect --format '{{.ManifestType}} {{.Comment}}' dockimg) $(jq -r '[.config.mediaType, .layers[-1].mediaType] | join(" ")' "$T/root/blobs/sha256/${d#sha256:}")"
check "... and it runs" "ran" "$(P run --rm dockimg echo ran)"
check_match "commit -q --format docker: the id alone" '^[0-9a-f]{64}$' "$(P commit -q commitme --format docker -m c dockimg2 2>&1)"
check "-m without --format docker is refused, as podman" \
  "125 Error: messages are only compatible with the docker image format (-f docker)" "$(failing P commit -m c commitme x)"
check "an unknown --format is refused by name" '125 Error: unrecognized image format "bogus"' "$(failing P commit --format bogus commitme x)"
P rmi dockimg dockimg2 >/dev/null; P rm -f -t0 commitme >/dev/null

# --- pod ps --format: podman's reporter methods ---
P pod create --label mylabel=V1 --label a=b lblpod >/dev/null
check "pod ps {{.Label \"k\"}} is one label, {{json .Labels}} the sorted k=v string" \
  'V1 "a=b,mylabel=V1"' "$(P pod ps --filter name=lblpod --format '{{ .Label "mylabel" }} {{json .Labels}}')"
check "... --format json keeps the Labels object" '{"a":"b","mylabel":"V1"}' \
  "$(P pod ps --filter name=lblpod --format json | jq -cS '.[0].Labels')"
P pod rm lblpod >/dev/null

# --- --noout and system connection ls (podunit has no remote destinations) ---
check "system connection ls: podman's header, no destination" "Name        URI         Identity    Default     ReadWrite" \
  "$(P system connection ls)"
check "... --format json and list" "[]" "$(P system connection list --format json)"
check "--noout discards the verb's output" "" "$(P --noout system connection ls)"

# --- flag errors as pflag words them, naming the program as it was called ---
ln -s "$PODUNIT" "$T/podman"
check "a short flag missing its value: pflag's words, the help pointer, 125" "125 Error: flag needs an argument: 'h' in -h
See 'podman run --help'" "$(failing "$T/podman" --root "$T/root" --runroot "$T/run" run -h)"
check "an unknown flag after an unknown command is the root's flag error" "125 Error: unknown flag: --invalid
See 'podunit --help'" "$(failing P bad --invalid)"
check "an unknown command" "125 Error: unrecognized command \`podunit bad\`
Try 'podunit --help' for more information" "$(failing P bad)"
check "an unknown shorthand flag of a verb" "125 Error: unknown shorthand flag: 'Z' in -Z
See 'podunit ps --help'" "$(failing P ps -Z)"

# --- podman-remote's global flags: listed, and refused naming the flag ---
check_match "--help lists --remote" "^  -r, --remote " "$(P --help)"
remote_listed () { awk '/ --remote /{r=1} /Usage:/{u=1} END{print (u ? "usage" : "no usage"), (r ? "lists --remote" : "without --remote")}'; }
check "... not once --url makes the remote mode implied" "usage without --remote" "$(P --url unix:///x --help | remote_listed)"
check "... nor --connection" "usage without --remote" "$(P --connection other --help | remote_listed)"
check "... nor with CONTAINER_HOST set" "usage without --remote" "$(CONTAINER_HOST=ssh://x P --help | remote_listed)"
check_match "--remote with no command: the usage, 125" "^125 Manage pods.*Usage:.*Error: missing command 'podunit COMMAND'" \
  "$(failing P --remote | tr '\n' ' ')"
for f in "--remote" "-r" "--url=unix:///run/podman/podman.sock" "--connection=other" "-c other"; do
  check_match "$f images: refused naming the flag, nothing listed" "^125 Error: --(remote|url|connection): podunit has no remote mode" \
    "$(failing P $f images)"
done
check_match "CONTAINER_HOST set: refused naming it" "^125 Error: CONTAINER_HOST: podunit has no remote mode" \
  "$(CONTAINER_HOST=ssh://x failing P images)"
check "--remote=false and --identity alone are local" "$IMG" \
  "$(P --remote=false --identity /nonexistent images --format '{{.Repository}}:{{.Tag}}' | grep -x "$IMG")"

echo "1..$n"
[ "$fails" = 0 ]
