#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root integration tests of `podunit run` and the container verbs: every
# default podman gives a container, checked from inside one built from
# busybox-static, plus the lifecycle (-d, stop, rm, exec, logs, --rm).
# Usage: test-run.sh PODUNIT   (needs root; prints "ok"/"not ok" lines)
set -u
PODUNIT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi

. "$HERE/lib.sh"
private_store test-run

# --- podman's defaults, seen from inside ---
check "default capabilities" "CapEff:	00000000800405fb" "$(P run --rm $IMG grep CapEff /proc/self/status)"
check "seccomp filter" "Seccomp:	2" "$(P run --rm $IMG grep 'Seccomp:' /proc/self/status)"
check "mount is denied" "denied" "$(P run --rm $IMG sh -c 'mount -t tmpfs t /mnt 2>/dev/null && echo allowed || echo denied')"
check "unshare is denied" "denied" "$(P run --rm $IMG sh -c 'unshare -m true 2>/dev/null && echo allowed || echo denied')"
for f in /proc/keys /proc/timer_list /proc/kcore; do
  [ -e "$f" ] || continue
  check "masked $f reads empty" "0" "$(P run --rm $IMG sh -c "cat $f 2>/dev/null | wc -c")"
done
check "masked /sys/firmware is empty" "" "$(P run --rm $IMG ls /sys/firmware)"
check "/proc/sys is read-only" "ro" "$(P run --rm $IMG sh -c '(echo 1 > /proc/sys/kernel/ns_last_pid) 2>/dev/null && echo rw || echo ro')"
check "/sys is read-only" "ro" "$(P run --rm $IMG sh -c 'touch /sys/x 2>/dev/null && echo rw || echo ro')"
check "pid 1 is the command" "1 sh" "$(P run --rm $IMG sh -c 'echo $$ $(cat /proc/1/comm)')"
check "pid 1 is the command (exec)" "cat" "$(P run --rm $IMG sh -c 'exec cat /proc/1/comm')"
check "--network none: only lo" "lo" "$(P run --rm --network none $IMG ls /sys/class/net)"
check "--network private: only lo, up" "lo UP" "$(P run --rm --network private $IMG sh -c 'ls /sys/class/net; ip -o link show lo | grep -o UP | head -1' | tr '\n' ' ' | sed 's/ $//')"
# meson runs this script in a network namespace of its own (root/in-netns).
check "default network: podman's bridge (eth0 on podunit0's subnet, lo up)" "eth0 lo UP inet 10.88" \
  "$(P run --rm $IMG sh -c 'ls /sys/class/net; ip -o link show lo | grep -o UP | head -1; ip -4 -o addr show eth0 | grep -o "inet 10\.88"' | tr '\n' ' ' | sed 's/ $//')"
# podman 4.3.1 with crun, busybox without -t: the same list.
check "/dev nodes" "core fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero" \
  "$(P run --rm $IMG ls /dev | tr '\n' ' ' | sed 's/ $//')"
check "/dev/shm is 64m" "65536" "$(P run --rm $IMG df -k /dev/shm | awk 'NR==2 {print $2}')"
check "--shm-size" "1024" "$(P run --rm --shm-size 1m $IMG df -k /dev/shm | awk 'NR==2 {print $2}')"
check "/dev/null works" "0" "$(P run --rm $IMG sh -c 'echo x > /dev/null; cat /dev/null | wc -c')"
check "hostname is the short id" "12" "$(P run --rm $IMG sh -c 'hostname | tr -d "\n" | wc -c')"
check "--hostname and /etc/hostname" "web web" "$(P run --rm --hostname web $IMG sh -c 'echo $(hostname) $(cat /etc/hostname)')"
check_match "/etc/hosts" "127.0.0.1.*localhost" "$(P run --rm $IMG cat /etc/hosts)"
check_match "--add-host" "10.1.2.3	db" "$(P run --rm --add-host db:10.1.2.3 $IMG cat /etc/hosts)"
check "--dns" "nameserver 192.0.2.53" "$(P run --rm --dns 192.0.2.53 $IMG grep nameserver /etc/resolv.conf)"
check "rlimits clamped to the host" "ok" "$(P run --rm --ulimit nofile=30000:30000 $IMG sh -c '[ $(ulimit -n) -le '"$(ulimit -Hn)"' ] && echo ok')"
check "--ulimit below the host" "512" "$(P run --rm --ulimit nofile=512:512 $IMG sh -c 'ulimit -n')"

# --- flags ---
check "--read-only denies writes" "denied" "$(P run --rm --read-only $IMG sh -c 'touch /x 2>/dev/null && echo allowed || echo denied')"
check "--read-only keeps /tmp writable" "ok" "$(P run --rm --read-only $IMG sh -c 'touch /tmp/x && echo ok')"
check "--read-only-tmpfs=false" "denied" "$(P run --rm --read-only --read-only-tmpfs=false $IMG sh -c 'touch /tmp/x 2>/dev/null && echo allowed || echo denied')"
mkdir -p "$T/data" && echo hostdata > "$T/data/f"
check "bind volume" "hostdata" "$(P run --rm -v "$T/data:/data" $IMG cat /data/f)"
check_ok "bind volume: a write" P run --rm -v "$T/data:/data" $IMG sh -c 'echo written > /data/g'
check "bind volume is writable" "written" "$(cat "$T/data/g")"
check "bind volume :ro" "denied" "$(P run --rm -v "$T/data:/data:ro" $IMG sh -c 'touch /data/h 2>/dev/null && echo allowed || echo denied')"
check_ok "named volume: a write" P run --rm -v vol1:/vol $IMG sh -c 'echo kept > /vol/k'
check "named volume persists" "kept" "$(P run --rm -v vol1:/vol $IMG cat /vol/k)"
check "named volume location" "kept" "$(cat "$T/root/volumes/vol1/_data/k")"
check "--mount type=bind,ro" "denied" "$(P run --rm --mount type=bind,source="$T/data",destination=/m,ro $IMG sh -c 'touch /m/x 2>/dev/null && echo allowed || echo denied')"
check "--tmpfs" "tmpfs" "$(P run --rm --tmpfs /scratch $IMG sh -c 'grep " /scratch " /proc/mounts | cut -d" " -f3')"
check "-v :U chowns the source" "1000" "$(mkdir -p "$T/owned"; P run --rm -u 1000:1000 -v "$T/owned:/o:U" $IMG sh -c 'stat -c %u /o')"
printf 'FROMFILE=yes\n# comment\n' > "$T/env"
check "env: -e, --env-file, image PATH, container=podman" "a=1 yes podman /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
  "$(P run --rm -e a=1 --env-file "$T/env" $IMG sh -c 'echo a=$a $FROMFILE $container $PATH')"
check "proxy variables pass by default, -e wins" "http://proxy:3128 x mine" \
  "$(http_proxy=http://proxy:3128 NO_PROXY=x HTTPS_PROXY=h P run --rm -e HTTPS_PROXY=mine $IMG sh -c 'echo $http_proxy $NO_PROXY $HTTPS_PROXY')"
check "--http-proxy=false passes none" "[]" \
  "$(http_proxy=http://proxy:3128 P run --rm --http-proxy=false $IMG sh -c 'echo [$http_proxy]')"
check "--retry/--retry-delay (Quadlet's Retry=) are accepted" "ok" "$(P run --rm --retry 3 --retry-delay 2s $IMG echo ok)"
check_match "--retry-delay needs a unit" "^125 Error: --retry-delay 5: invalid duration" "$(failing P run --rm --retry-delay 5 $IMG true)"
check "--log-opt tag= (Quadlet's LogOpt=) is kept" "webtag" \
  "$(P create --name lt --log-opt tag=webtag $IMG true >/dev/null && P inspect --format '{{.HostConfig.LogTag}}' lt && P rm lt >/dev/null)"
check_match "other --log-opt keys fail naming the flag" "^125 Error: --log-opt max-file=3 is not supported" \
  "$(failing P run --rm --log-opt max-file=3 $IMG true)"
check "-w enters the workdir" "/tmp" "$(P run --rm -w /tmp $IMG pwd)"
check_match "-w of a missing dir: 126, not created (podman)" "^126 Error: workdir \"/work/dir\" does not exist on container" \
  "$(failing P run --rm -w /work/dir $IMG pwd)"
check "-u uid:gid" "1000 1000" "$(P run --rm -u 1000:1000 $IMG sh -c 'echo $(id -u) $(id -g)')"
check "non-root user has no capabilities" "CapEff:	0000000000000000" "$(P run --rm -u 1000 $IMG grep CapEff /proc/self/status)"
check "--cap-add" "CapEff:	00000000802405fb" "$(P run --rm --cap-add SYS_ADMIN $IMG grep CapEff /proc/self/status)"
check "--cap-drop" "CapEff:	00000000800405fa" "$(P run --rm --cap-drop CHOWN $IMG grep CapEff /proc/self/status)"
check "no-new-privileges" "NoNewPrivs:	1" "$(P run --rm --security-opt no-new-privileges $IMG grep NoNewPrivs /proc/self/status)"
check "seccomp=unconfined" "Seccomp:	0" "$(P run --rm --security-opt seccomp=unconfined $IMG grep 'Seccomp:' /proc/self/status)"
# podman: a named user keeps its gid among the supplementary groups.
check "--group-add" "Groups:	100 1000 " "$(P run --rm -u 1000:1000 --group-add 100 $IMG grep Groups /proc/self/status)"
check "-u UID the image does not know: gid 0, as podman" "1000 0" "$(P run --rm -u 1000 $IMG sh -c 'echo $(id -u) $(id -g)')"
check "--device" "c" "$(P run --rm --device /dev/zero:/dev/myzero $IMG stat -c %A /dev/myzero | cut -c1)"
check "--security-opt mask=" "0" "$(P run --rm --security-opt mask=/etc/passwd $IMG sh -c 'wc -c < /etc/passwd')"
[ "$(wc -c < /proc/keys)" -gt 0 ] && check "--security-opt unmask=" "yes" "$(P run --rm --security-opt unmask=/proc/keys $IMG sh -c '[ $(wc -c < /proc/keys) -gt 0 ] && echo yes')"
check "--label, --annotation in inspect" "b y" "$(P create --name lbl --label a=b --annotation x=y $IMG true >/dev/null && P inspect --format '{{.Config.Labels.a}} {{.Config.Annotations.x}}' lbl && P rm lbl >/dev/null)"
check "--entrypoint" "hello" "$(P run --rm --entrypoint echo $IMG hello)"
check "--init: a reaper is pid 1" "podunit-init" "$(P run --rm --init $IMG cat /proc/1/comm)"
check "--init passes the exit status" "5" "$(P run --rm --init $IMG sh -c 'exit 5'; echo $?)"
check "run -d --init returns while the container runs" "running" \
  "$(timeout 10 "$PODUNIT" --root "$T/root" --runroot "$T/run" run -d --init --name initd $IMG sleep 60 >/dev/null &&
     P inspect --format '{{.State.Status}}' initd; P rm -f -t 0 initd >/dev/null)"
check "--sysctl" "1" "$(P run --rm --sysctl net.ipv4.ip_forward=1 $IMG cat /proc/sys/net/ipv4/ip_forward)"
check "--tz" "UTC" "$(P run --rm --tz UTC $IMG date +%Z)"

if command -v script >/dev/null; then
  out=$(script -qec "$PODUNIT --root $T/root --runroot $T/run run --rm -t $IMG sh -c 'tty; exit 4'" /dev/null); rc=$?
  check "-t: a terminal from the container's devpts, exit status kept" "/dev/pts/0 4" "$(echo $out | tr -d '\r') $rc"
  check "-i -t: stdin reaches the terminal" "from-stdin" \
    "$(echo 'echo from-stdin; exit' | P run --rm -i -t $IMG sh 2>&1 | tr -d '\r' | grep -x from-stdin)"
fi

# --- exit codes ---
check "exit 0" "0" "$(P run --rm $IMG true; echo $?)"
check "exit 3" "3" "$(P run --rm $IMG sh -c 'exit 3'; echo $?)"
check_match "cannot invoke: 126" "^126 Error: .*/etc/passwd.*ermission denied" "$(failing P run --rm $IMG /etc/passwd)"
check_match "not found: 127" "^127 Error: .*no-such-command" "$(failing P run --rm $IMG no-such-command)"
check "bad flag: 125, named, with the help pointer" "125 Error: unknown flag: --no-such-flag
See 'podunit run --help'" "$(failing P run --rm --no-such-flag $IMG true)"
check_match "unknown image: 125" "^125 Error: .*no-such-image" "$(failing P run --rm --pull=never no-such-image true)"
check "unsupported flag is named" "125 Error: run: --memory-swap is not supported by podunit yet" \
  "$(failing P run --rm --memory-swap=1g $IMG true)"
check_match "a bad --pull policy is named" "^125 Error: .*--pull sometimes: invalid pull policy" "$(failing P run --rm --pull sometimes $IMG true)"
check_match "--pull=never of an absent image: 125, names the image" "^125 Error: .*localhost/absent:1: image not known" \
  "$(failing P run --rm --pull=never localhost/absent:1 true | tee "$T/absent.out")"
check "--pull=never tries no registry" "0" "$(count_matching '[Tt]rying to pull' < "$T/absent.out")"
check_match "a malformed --uidmap fails clearly" "^125 Error: --uidmap 0:x:1: expected CONTAINER_ID:HOST_ID:SIZE" "$(failing P run --rm --uidmap 0:x:1 $IMG true)"
check "killed by a signal: 128+9" "137" "$(P run --rm --init $IMG sh -c 'kill -9 $$'; echo $?)"

# --- --rm leaves nothing ---
check_ok "--rm: runs" P run --rm --name gone $IMG true
check "--rm: no container record" "" "$(ls "$T/root/containers")"
check "--rm: no run state" "" "$(ls "$T/run/containers")"
check "--rm: no mount left, no container listed" "0 0" "$(count_matching "$T" < /proc/self/mountinfo) $(P ps -a -q | wc -l)"
check "--rm: name free again" "0" "$(P run --rm --name gone $IMG true; echo $?)"
# Each container's / starts with the image's mode (0555: no layer sets one), whatever the last one did.
check_ok "--rm: a container changes /" P run --rm $IMG sh -c 'chmod 700 /; touch /left-over /etc/left-over'
check "--rm: the next container's / is fresh" "555 no no" \
  "$(P run --rm $IMG sh -c 'echo $(stat -c %a /) $([ -e /left-over ] && echo yes || echo no) $([ -e /etc/left-over ] && echo yes || echo no)')"
# --rm containers find the bind-mount targets the image lacks in the
# store's mountpoints layer, below the image: the image's own entries win.
# An image without /etc/mtab gets podman's link to /proc/mounts.
check "--rm: the image's /etc plus the mounted files and mtab" \
  "group hardlink-dst hardlink-src hostname hosts mtab passwd resolv.conf" \
  "$(P run --rm $IMG ls /etc | tr '\n' ' ' | sed 's/ $//')"
LAYER=$(ls -d "$T"/root/layers/*/diff | head -1)
check "--rm: the image's /etc attributes" "$(stat -c '%a %u %g' "$LAYER/etc")" \
  "$(P run --rm $IMG stat -c '%a %u %g' /etc)"
mkdir -p "$T/bare/bin" && cp -a "$LAYER/bin/." "$T/bare/bin/"
ln -s ../run/resolv.conf "$T/bare/etc-link" 2>/dev/null
check "--rm --rootfs without /etc: hosts and hostname" "127.0.0.1 bare" \
  "$(P run --rm --rootfs --hostname bare "$T/bare" sh -c 'echo $(head -c 9 /etc/hosts) $(cat /etc/hostname)')"
check "--rm --rootfs: the rootfs is untouched" "bin etc-link" "$(P run --rm --rootfs "$T/bare" true && ls "$T/bare" | tr '\n' ' ' | sed 's/ $//')"

# --- records and caches run reads without a JSON parser (store.h) ---
# The record (a GVariant, container.c) keeps any bytes: they read back as written.
v=$(printf 'q"b\\s/\t\001\177 end')
# (Names follow podman's rule, so only values carry such bytes.)
check_ok "create with every allowed punctuation in the name" P create --name esc.name_1-x -e "X=$v" $IMG sh -c 'printf %s "$X"'
check "a name with every allowed punctuation resolves" "esc.name_1-x" "$(P inspect --format '{{.Name}}' esc.name_1-x)"
check "an escaped env value reads back" "$(printf %s "$v" | od -c)" "$(P start -a esc.name_1-x | od -c)"
check_ok "rm esc.name_1-x" P rm esc.name_1-x
check_ok "tag" P tag $IMG localhost/other:1
check "run by a tag added after a run (names cache)" "ok" "$(P run --rm localhost/other:1 echo ok)"
check_ok "rmi of the tag" P rmi localhost/other:1
check_match "the removed tag is gone for run" "^125 Error: .*image not known" "$(failing P run --rm --pull=never localhost/other:1 true)"
check "the image still runs by its other name" "ok" "$(P run --rm $IMG echo ok)"

# --- lifecycle: -d, ps, logs, exec, stop, rm ---
check_match "run -d prints the id" "^[0-9a-f]{64}$" \
  "$(P run -d --name web $IMG sh -c 'echo out; echo err >&2; trap "echo bye; exit 7" TERM; while :; do sleep 0.1; done')"
sleep 0.3
check "ps shows it running" "web running" "$(P ps --format '{{.Names}} {{.State}}')"
check "logs" "out err" "$(P logs web 2>&1 | sort -r | tr '\n' ' ' | sed 's/ $//')"
check "exec enters the same namespaces" "same" "$(P exec web sh -c 'for n in mnt pid net uts ipc cgroup; do [ $(readlink /proc/self/ns/$n) = $(readlink /proc/1/ns/$n) ] || echo differs $n; done; echo same')"
check "exec has the same caps and seccomp" "CapEff:	00000000800405fb Seccomp:	2" "$(P exec web grep -E '^(CapEff|Seccomp):' /proc/self/status | tr '\n' ' ' | sed 's/ $//')"
check "exec -e -w -u" "v /tmp 1000" "$(P exec -e X=v -w /tmp -u 1000 web sh -c 'echo $X $(pwd) $(id -u)')"
check "exec -t sets TERM, -e wins" "xterm vt100 -" \
  "$(echo $(P exec -t web sh -c 'echo $TERM' </dev/null) $(P exec -t -e TERM=vt100 web sh -c 'echo $TERM' </dev/null) $(P exec web sh -c 'echo ${TERM:--}') | tr -d '\r')"
check "exec exit status" "4" "$(P exec web sh -c 'exit 4'; echo $?)"
check_match "exec not found: 127" "^127 Error: .*nope" "$(failing P exec web nope)"
sup=$(P inspect --format '{{.State.ConmonPid}}' web)
rss=$(awk '/VmRSS/ {print $2}' /proc/$sup/status)
check "supervisor RSS <= conmon's 1.9 MB" "yes" "$([ "$rss" -le 1945 ] && echo yes || echo "no ($rss kB)")"
check_match "duplicate name: 125" "^125 Error: .*web.*already in use" "$(failing P run -d --name web $IMG true)"
check_ok "stop -t 5" P stop -t 5 web
check "stop: stop signal, then exited with the trap's status" "exited 7" "$(P inspect --format '{{.State.Status}} {{.State.ExitCode}}' web)"
check "logs after stop" "bye" "$(P logs web 2>/dev/null | tail -1)"
check "wait prints the exit code" "7" "$(P wait web)"
check_ok "start a stopped container" P start web; sleep 0.2
check "start again" "running" "$(P inspect --format '{{.State.Status}}' web)"
check_ok "kill -s KILL" P kill -s KILL web
check_ok "wait" P wait web
check "kill -s KILL: exit code 137" "137" "$(P inspect --format '{{.State.ExitCode}}' web)"
check_ok "rm" P rm web
check "rm: ps -a shows nothing" "" "$(P ps -a -q)"
check_ok "run -d a container that ignores SIGTERM" P run -d --name stubborn $IMG sh -c 'trap "" TERM; while :; do sleep 0.1; done'
sleep 0.2
check_ok "stop -t 1 of it" P stop -t 1 stubborn
check "stop -t 1 falls back to SIGKILL" "137" "$(P inspect --format '{{.State.ExitCode}}' stubborn)"
check_ok "run -d r1" P run -d --stop-timeout 1 --name r1 $IMG sleep 100
check "rm of a running container without -f: 2" "2" "$(P rm r1 >/dev/null 2>&1; echo $?)"
check_ok "rm -f of a running container" P rm -f r1
check "rm -f stops and removes" "0" "$(P ps -a --format '{{.Names}}' | count_matching '^r1$')"
check_ok "run -d --rm" P run -d --rm --name auto $IMG true; sleep 0.5
check "run -d --rm removes after exit" "0" "$(P ps -a --format '{{.Names}}' | count_matching '^auto$')"
check_ok "run -d rep" P run -d --stop-timeout 1 --name rep $IMG sleep 100
check_ok "run -d --replace rep" P run -d --replace --name rep $IMG sleep 100
check "--replace: one container of the name" "1" "$(P ps -a --format '{{.Names}}' | count_matching '^rep$')"
check_ok "run -d --cidfile" P run -d --stop-timeout 1 --cidfile "$T/cid" --name withcid $IMG sleep 100
check "--cidfile has the id" "$(P inspect --format '{{.Id}}' withcid)" "$(cat "$T/cid")"
check_ok "rm --cidfile" P rm -v -f -i --cidfile "$T/cid"
# podman 4.3.1's inspect of a missing container: "[]", exit 125.
check "rm --cidfile removes the container and the file" "no-file [] 125" \
  "$([ -e "$T/cid" ] || echo -n 'no-file '; out=$(P inspect withcid 2>/dev/null); echo "$out $?")"
check "rm -v -f -i of a missing container: silent success" "0:" "$(out=$(P rm -v -f -i --cidfile "$T/cid" nosuch 2>&1); echo "$?:$out")"
for i in 1 2 3; do
  check_ok "run -d --log-driver passthrough pt$i" P run -d --name pt$i --log-driver passthrough $IMG true
done
check "-d --log-driver passthrough: a quick exit is recorded" "0 0 0" \
  "$(for i in 1 2 3; do timeout 5 "$PODUNIT" --root "$T/root" --runroot "$T/run" wait pt$i; done | tr '\n' ' ' | sed 's/ $//')"
check "no supervisor left after the exits, the containers kept" "0 3" \
  "$(sleep 0.3; ps -eo args | count_matching "^[^ ]*podunit-supervisor .*$T/run pt[123] ") $(P ps -a --format '{{.Names}}' | count_matching '^pt[123]$')"
check_ok "rm pt1 pt2 pt3" P rm pt1 pt2 pt3
check_ok "create" P create --name made $IMG sh -c 'echo created-then-started'
check "create leaves it created" "created" "$(P inspect --format '{{.State.Status}}' made)"
check_ok "start a created container" P start made
check_ok "wait for it" P wait made
check "start runs it" "created-then-started" "$(P logs made)"
check_ok "run a container that changes files" P run --name changer $IMG sh -c 'echo new > /newfile; rm /etc/group'
check "diff" "C /etc D /etc/group A /newfile" "$(P diff changer | grep -E ' /(etc|etc/group|newfile)$' | tr '\n' ' ' | sed 's/ $//')"
check_ok "commit" P commit -q changer localhost/changed
check "commit: the new image has the change" "new" "$(P run --rm localhost/changed cat /newfile)"

# --- signals reach the container in the foreground ---
# Not through P: $! must be podunit itself, not a subshell.
"$PODUNIT" --root "$T/root" --runroot "$T/run" run --rm --name fg $IMG sh -c 'trap "exit 9" TERM; while :; do sleep 0.1; done' &
fg=$!
for _ in $(seq 50); do [ "$(P ps --format '{{.Names}}')" = fg ] && break; sleep 0.1; done
sleep 0.2
kill -TERM $fg; wait $fg; rc=$?
check "SIGTERM is forwarded (foreground)" "9" "$(echo $rc)"

# --- the command starts with default signal dispositions, nothing blocked ---
# A caller that ignores SIGINT/SIGQUIT (a shell's background job, nohup) must
# not hand that to the container (podman/crun reset them): SigIgn and SigBlk 0.
check "ignored signals are reset (run)" "SigBlk:	0000000000000000 SigIgn:	0000000000000000" \
  "$(perl -e '$SIG{INT}=$SIG{QUIT}=$SIG{HUP}="IGNORE"; exec @ARGV' "$PODUNIT" --root "$T/root" --runroot "$T/run" \
     run --rm $IMG grep -E '^Sig(Blk|Ign)' /proc/self/status | tr '\n' ' ' | sed 's/ $//')"
check_ok "run -d sigs" P run -d --name sigs $IMG sleep 100
check "ignored signals are reset (exec)" "SigIgn:	0000000000000000" \
  "$(perl -e '$SIG{INT}=$SIG{QUIT}="IGNORE"; exec @ARGV' "$PODUNIT" --root "$T/root" --runroot "$T/run" \
     exec sigs grep '^SigIgn' /proc/self/status)"
check_ok "rm -f -t 0 sigs" P rm -f -t 0 sigs

# --- --entrypoint as a JSON array with bytes that are not UTF-8 ---
# (read the strings after their parser was freed: GLib UTF-8 assertions, then
# a segfault, exit 139, on plain ASCII input)
check "--entrypoint JSON array" "a b" "$(P run --rm --entrypoint='["/bin/echo","a"]' $IMG b)"
# (flag values are bytes, as in podman: the JSON parser names the flag)
check "--entrypoint JSON with invalid UTF-8: an error, no crash" "$(printf '125 Error: --entrypoint ["/bin/echo","\xff\xfe"]: invalid JSON array')" \
  "$(failing P run --rm --entrypoint="$(printf '["/bin/echo","\xff\xfe"]')" $IMG)"

echo "1..$n"
[ $fails = 0 ]
