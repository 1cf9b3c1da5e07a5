#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root tests of `run`/`create` behaviours that podman's own 030-run system
# tests (issue 12) showed podunit doing differently from podman; each check
# is what a podman user sees.
# Usage: test-compat-run.sh PODUNIT   (needs root; prints "ok"/"not ok" lines)
set -u
PODUNIT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi

. "$HERE/lib.sh"
private_store test-compat-run

# --- --privileged: every capability, the host's devices, no seccomp or masks ---
check "--privileged: every capability this process has (its bounding set)" \
  "$(awk '/^CapBnd/ {print $2}' /proc/self/status)" \
  "$(P run --rm --privileged $IMG sh -c 'grep CapEff /proc/self/status' | awk '{print $2}')"
check "... no seccomp filter" "0" "$(P run --rm --privileged $IMG sh -c 'grep ^Seccomp: /proc/self/status' | awk '{print $2}')"
check "... nothing masked (/proc/kcore readable as a file)" "file" \
  "$(P run --rm --privileged $IMG sh -c '[ -c /proc/kcore ] && echo masked || echo file')"
check "... /sys writable" "rw" "$(P run --rm --privileged $IMG sh -c 'grep " /sys " /proc/self/mounts' | awk '{print substr($4,1,2)}')"
ttys=$(find /dev -regex '/dev/tty[0-9].*' | wc -w)
check "... the host's virtual consoles" "$ttys" "$(P run --rm --privileged $IMG sh -c "find /dev -regex '/dev/tty[0-9].*' | wc -w")"
check "... but not in systemd mode (--systemd=always)" "0" \
  "$(P run --rm --privileged --systemd=always $IMG sh -c "find /dev -regex '/dev/tty[0-9].*' | wc -w")"
check "... with --user, only --cap-add's capabilities in effect" "0000000000000000" \
  "$(P run --rm --privileged --user 100 $IMG sh -c 'grep CapEff /proc/self/status' | awk '{print $2}')"
check "without --privileged: podman's default set, seccomp on" "00000000800405fb 2" \
  "$(P run --rm $IMG sh -c 'echo $(grep CapEff /proc/self/status | cut -f2) $(grep ^Seccomp: /proc/self/status | cut -f2)')"

# --- --systemd ---
check "--systemd=always: tmpfs /run (0755) with an empty /run/.containerenv, container_uuid" \
  "tmpfs 755 0 ok" \
  "$(P run --rm --systemd=always $IMG sh -c 'echo $(grep " /run " /proc/self/mounts | cut -d" " -f3) $(stat -c %a /run) $(stat -c %s /run/.containerenv) ${container_uuid:+ok}')"
P create --name sdstop --systemd=always $IMG true >/dev/null
check "... stops with SIGRTMIN+3" "$(kill -l RTMIN+3 2>/dev/null || echo 37)" "$(P inspect --format '{{.Config.StopSignal}}' sdstop)"
P rm sdstop >/dev/null
check "--systemd=true with an ordinary command: no systemd mode" "no" \
  "$(P run --rm $IMG sh -c '[ -n "${container_uuid:-}" ] && echo yes || echo no')"
check_refused "--systemd of another value" "Error: --systemd bogus: expected true, false or always" \
  "$(P run --rm --systemd=bogus $IMG true 2>&1)"

# --- ulimits: podman's defaults whatever the caller's limits (root) ---
# (raising a hard limit needs CAP_SYS_RESOURCE: a host without it clamps)
if [ $(( 0x$(awk '/^CapEff/ {print $2}' /proc/self/status) >> 24 & 1 )) = 1 ]; then
  check "nofile and nproc hard limits 1048576 by default" "1048576 1048576" \
    "$(P run --rm $IMG sh -c 'echo $(ulimit -n -H) $(ulimit -u -H)')"
  check "... also when the caller's own are lower" "1048576" \
    "$(bash -c 'ulimit -n -SH 4000; exec "$@"' - "$PODUNIT" --root "$T/root" --runroot "$T/run" run --rm $IMG sh -c 'ulimit -n -H')"
else
  check "without CAP_SYS_RESOURCE the defaults are clamped to the caller's hard limits" \
    "$(ulimit -n -H) $(ulimit -u -H)" "$(P run --rm $IMG sh -c 'echo $(ulimit -n -H) $(ulimit -u -H)')"
fi

# --- -p where the container has no network of its own ---
check "-p with --net=host: podman's warning, the container runs" \
  'Port mappings have been discarded because "host" network namespace mode does not support them|hi' \
  "$(P run --rm -p 8080 --net=host $IMG echo hi 2>&1 | tr '\n' '|' | sed 's/|$//')"
check "-p with --net=none" \
  'Port mappings have been discarded because "none" network namespace mode does not support them|hi' \
  "$(P run --rm -p 8080 --net=none $IMG echo hi 2>&1 | tr '\n' '|' | sed 's/|$//')"
P run -d --name netowner $IMG sleep 60 >/dev/null
check "--net=container:NAME joins its network namespace (-p warned about)" \
  "Port mappings have been discarded because \"container\" network namespace mode does not support them|$(P exec netowner readlink /proc/self/ns/net)" \
  "$(P run --rm -p 8080 --net=container:netowner $IMG readlink /proc/self/ns/net 2>&1 | tr '\n' '|' | sed 's/|$//')"
check_match_refused "--net=container: of a missing container" "^Error: .*nosuch" "$(P run --rm --net=container:nosuch $IMG true 2>&1)"
P rm -f -t0 netowner >/dev/null

# --- stop of a container whose supervisor was killed ---
P run -d --name orphan $IMG sleep 999 >/dev/null
kill -9 "$(P inspect --format '{{.State.ConmonPid}}' orphan)"
sleep 0.2
check_match "stop: podman's error for a killed conmon, status 125" \
  "^125 Error: container [0-9a-f]{64} conmon exited prematurely, exit code could not be retrieved: conmon process killed" \
  "$(failing P stop -t0 orphan | tr '\n' ' ')"
check "... the container is stopped and exited" "exited" "$(P inspect --format '{{.State.Status}}' orphan)"
P rm -f orphan >/dev/null
P run -d --name orphan2 $IMG sleep 999 >/dev/null
kill -9 "$(P inspect --format '{{.State.ConmonPid}}' orphan2)"
sleep 0.2
check "rm -f of one whose supervisor was killed: removed (a warning only), status 0" "0 1" \
  "$(P rm -f -t0 orphan2 >/dev/null 2>&1; echo $?) $(P container exists orphan2; echo $?)"

# --- --timeout: killed then, exit code -1 (255 from run), as conmon ---
check "--timeout in the foreground: run exits 255" "255" "$(P run --name tofg --timeout 1 $IMG sleep 60; echo $?)"
check "... recorded exited, -1" "exited -1" "$(P inspect --format '{{.State.Status}} {{.State.ExitCode}}' tofg)"
tobg=$(P run -d --timeout 1 $IMG sleep 60)
P wait $tobg >/dev/null
check "--timeout under the supervisor (-d): exited, -1" "exited -1" "$(P inspect --format '{{.State.Status}} {{.State.ExitCode}}' $tobg)"
check_refused "a bad --timeout" "Error: --timeout soon: expected seconds" "$(P run --rm --timeout soon $IMG true 2>&1)"
P rm tofg $tobg >/dev/null

# --- logs of a container that logs nothing ---
P run --name lognone --log-driver none $IMG echo hi >/dev/null
check_match "logs with the none driver: podman's error, 125" \
  "^125 Error: this container is using the 'none' log driver, cannot read logs" "$(failing P logs lognone)"
P rm lognone >/dev/null

# --- --device-cgroup-rule: checked as podman parses it ---
check_ok "--device-cgroup-rule 'a 7 rmw'" P run --rm --device-cgroup-rule="a 7 rmw" $IMG true
check_refused "... a bad access" "Error: invalid device access in device-access-add: X" \
  "$(P run --rm --device-cgroup-rule="b 7:* rmX" $IMG true 2>&1)"
check_refused "... no access" 'Error: invalid device cgroup rule requires type, major:Minor, and access rules: "b 7:2"' \
  "$(P run --rm --device-cgroup-rule="b 7:2" $IMG true 2>&1)"
check_refused "... a bad type" "Error: invalid device type in device-access-add: x" \
  "$(P run --rm --device-cgroup-rule="x 7:* rmw" $IMG true 2>&1)"
check_refused "... a bad major" 'Error: strconv.ParseUint: parsing "a": invalid syntax' \
  "$(P run --rm --device-cgroup-rule="a a:* rmw" $IMG true 2>&1)"

# --- --cgroupns ---
check "--cgroupns=host: the caller's cgroup namespace" "$(readlink /proc/self/ns/cgroup)" \
  "$(P run --rm --cgroupns=host $IMG readlink /proc/self/ns/cgroup)"
check "--cgroupns=private (the default): its own" "other" \
  "$(P run --rm --cgroupns=private $IMG sh -c "[ \$(readlink /proc/self/ns/cgroup) = $(readlink /proc/self/ns/cgroup) ] && echo same || echo other")"

# --- mounts.conf (--default-mounts-file) ---
mkdir -p "$T/secrets" && echo secret >"$T/secrets/f"
check "a missing mounts file: no mount, no warning" "ok" "$(P run --rm --default-mounts-file="$T/nosuch.conf" $IMG echo ok 2>&1)"
printf '# comment\n/nonexistent:/x\n%s:/run/secrets\n' "$T/secrets" >"$T/mounts.conf"
check "its SOURCE:DEST lines are mounted (a missing source skipped silently)" "secret" \
  "$(P run --rm --default-mounts-file="$T/mounts.conf" $IMG cat /run/secrets/f 2>&1)"
check "... also as podman's global flag" "secret" \
  "$(P --default-mounts-file="$T/mounts.conf" run --rm $IMG cat /run/secrets/f 2>&1)"

# --- --pod new: is removed again when the container cannot be created ---
P run -d --name podtaken $IMG true >/dev/null
check_match "run --pod new: with a taken name fails as podman" '^125 Error: creating container storage: the container name "podtaken" is already in use' \
  "$(failing P run --rm --pod new:madepod --name podtaken $IMG true)"
check "... and the pod it made is gone" "1" "$(P pod exists madepod; echo $?)"
P rm podtaken >/dev/null

# --- a privileged container's /run/.containerenv says who it is ---
check "--privileged: /run/.containerenv names engine, container and image" \
  "podunit- priv $IMG 0" \
  "$(P run --rm --privileged --name priv $IMG sh -c '. /run/.containerenv; echo ${engine%%[0-9]*} $name $image $rootless')"

# --- -a/--attach ---
out=$(P run --name att --attach stdin $IMG sh -c 'echo hello; exit 3'; echo "rc=$?")
check "-a stdin alone: the id printed, the output only logged, the exit status returned" \
  "$(P inspect --format '{{.Id}}' att) rc=3 hello" "$(echo $out) $(P logs att)"
P rm att >/dev/null
check "-a stdout -a stderr: as without -a" "hi" "$(P run --rm -a stdout -a stderr $IMG echo hi)"
check "-a stderr alone: stderr reaches the caller, stdout only the log" "err|out err" \
  "$(P run --name aerr -a stderr $IMG sh -c 'echo out; echo err >&2' 2>&1 | tr -d '\n'; echo "|$(P logs aerr 2>&1 | tr '\n' ' ' | sed 's/ $//')")"
P rm aerr >/dev/null
check_refused "a bad stream: podman's words" \
  'Error: invalid stream "stdfoo" for --attach - must be one of stdin, stdout, or stderr: invalid argument' \
  "$(P run --rm -a stdfoo $IMG echo hi 2>&1)"
check "... nothing left behind" "" "$(P ps -a --format '{{.Names}}')"

# --- --cidfile: an existing file's content replaced, the file removed with the container ---
echo stale-content-from-before >"$T/cid"
cid=$(P run -d --name cidc --cidfile "$T/cid" $IMG sleep 60)
check "--cidfile of an existing file: the id replaces its content" "$cid" "$(cat "$T/cid")"
P rm -f -t0 cidc >/dev/null
check "... and rm removes it" "gone" "$([ -e "$T/cid" ] && echo present || echo gone)"

# --- --rootfs PATH:O ---
mkdir -p "$T/rootfs" && P run --rm -v "$T/rootfs:/out" $IMG cp -a /bin /lib /out/ 2>/dev/null
check "--rootfs PATH:O runs, the directory left unchanged" "hi absent" \
  "$(P run --rm --rootfs "$T/rootfs:O" /bin/sh -c 'echo hi; touch /newfile' | tr '\n' ' '; [ -e "$T/rootfs/newfile" ] && echo present || echo absent)"

# --- /sys/fs/cgroup: read-only, also with the host's network and cgroup namespace ---
for ns in host private; do
  check "--network host --cgroupns=$ns: the cgroup file system on /sys/fs/cgroup is read-only" "ro" \
    "$(P run --rm --network host --cgroupns=$ns $IMG sh -c "grep ' / /sys/fs/cgroup ' /proc/self/mountinfo | tail -n 1" | awk '{print substr($6,1,2)}')"
done
check "... writable with --privileged" "rw" \
  "$(P run --rm --privileged $IMG sh -c "grep ' / /sys/fs/cgroup ' /proc/self/mountinfo | tail -n 1" | awk '{print substr($6,1,2)}')"
if [ "$(stat -f -c %T /sys/fs/cgroup)" = tmpfs ]; then
  check "cgroup v1/hybrid host: the host's hierarchies, by the same names" "$(ls /sys/fs/cgroup | tr '\n' ' ')" \
    "$(P run --rm $IMG sh -c 'ls /sys/fs/cgroup' | tr '\n' ' ')"
  check "... each one a cgroup file system rooted at the container's cgroup" "/" \
    "$(P run --rm $IMG sh -c "grep -E ' /sys/fs/cgroup/[^ ]+ .* - cgroup2? ' /proc/self/mountinfo" | awk '{print $4}' | sort -u)"
fi

# --- podunit is its own OCI runtime: --runtime, --runtime-flag, containers.conf runtime flags ---
check "info names podunit as the OCI runtime, at the running program's path" "podunit $PODUNIT" \
  "$(P info --format '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}')"
cp --preserve "$PODUNIT" "$T/myruntime"
check "run --runtime PATH (a copy of podunit) runs, and inspect shows the path" "hi
$T/myruntime" \
  "$(P run --name rtc --runtime "$T/myruntime" $IMG echo hi && P inspect --format '{{.OCIRuntime}}' rtc)"
P rm rtc >/dev/null
check "... the default one is podunit" "podunit" "$(P create --name rtd $IMG true >/dev/null && P inspect --format '{{.OCIRuntime}}' rtd)"
P rm rtd >/dev/null
check "--runtime crun (Quadlet GlobalArgs=, scripts): runs with a warning, recorded as podunit" \
  "hi|podunit|1" \
  "$(P --runtime crun run --name rtcrun --runtime /usr/bin/runc $IMG echo hi 2>"$T/rt.err")|$(P inspect --format '{{.OCIRuntime}}' rtcrun)|$(grep -c 'runtime /usr/bin/runc: podunit runs the container itself' "$T/rt.err")"
P rm rtcrun >/dev/null
check_match "--runtime krun (another kind of isolation) is refused (125)" "^125 Error: --runtime krun: podunit is its own OCI runtime" \
  "$(failing P run --rm --runtime krun $IMG true)"
check_match "--runtime naming another program is refused (125), naming it" "^125 Error: --runtime /bin/true: not this podunit" \
  "$(failing P run --rm --runtime /bin/true $IMG true)"
check_match "--runtime-flag that podunit lacks: run fails 126 naming it" "^126 Error: --runtime-flag invalidflag: .*no flag --invalidflag" \
  "$(failing P --runtime-flag invalidflag run --rm $IMG true)"
check "... and leaves no container" "" "$(P ps -a --format '{{.Names}}')"
check "--runtime-flag debug runs (podunit's debug log)" "hi" "$(P --runtime-flag debug run --rm $IMG echo hi 2>/dev/null)"
printf '[engine]\nruntime="podunit"\n\n[engine.runtimes_flags]\npodunit = [\n  "invalidflag",\n]\n' >"$T/rt.conf"
check_match "containers.conf [engine.runtimes_flags] podunit: the same check (126)" "^126 Error: containers.conf .*--invalidflag" \
  "$(CONTAINERS_CONF="$T/rt.conf" failing P run --rm $IMG true)"
P create --name rtf $IMG true >/dev/null
check_match "... create is fine, start fails 126" "^126 Error: --runtime-flag systemd-cgroup" \
  "$(failing P --runtime-flag systemd-cgroup start rtf)"
P rm rtf >/dev/null

# --- containers.conf static_dir: where the containers' records are (podman's database) ---
printf '[engine]\nstatic_dir="%s"\n' "$T/static" >"$T/static.conf"
P run -d --name plainc $IMG sleep 60 >/dev/null
check "static_dir: a container made there runs, and is listed with that containers.conf" "sdrun
sdrun Exited (0)" \
  "$(CONTAINERS_CONF_OVERRIDE="$T/static.conf" P run --name sdrun $IMG echo sdrun && CONTAINERS_CONF_OVERRIDE="$T/static.conf" P ps -a --format '{{.Names}} {{.Status}}' | cut -d' ' -f1-3)"
check "... its record is under static_dir" "yes" \
  "$(id=$(CONTAINERS_CONF_OVERRIDE="$T/static.conf" P inspect --format '{{.ID}}' sdrun) && [ -d "$T/static/containers/$id" ] && echo yes)"
check "... the default configuration does not see it (exists: 1; ps: none)" "1 0" \
  "$(P container exists sdrun; echo -n "$? "; P ps -a --format '{{.Names}}' | count_matching '^sdrun$')"
check "... nor does static_dir's see the default's, which is left running" "0 plainc running" \
  "$(echo -n "$(CONTAINERS_CONF_OVERRIDE="$T/static.conf" P ps -a --format '{{.Names}}' | count_matching '^plainc$') "; P inspect --format '{{.Name}} {{.State.Status}}' plainc)"
check "... rm with that containers.conf removes it" "sdrun" "$(CONTAINERS_CONF_OVERRIDE="$T/static.conf" P rm -f -t0 sdrun)"
P rm -f -t0 plainc >/dev/null

# --- --rmi: the image goes with the container, unless another uses it ---
P run --name rmisrc $IMG true >/dev/null && P commit -q rmisrc localhost/rmi-test:1 >/dev/null && P rm rmisrc >/dev/null
P run --name rmikeep localhost/rmi-test:1 true
OUT=$(P run --rmi --rm localhost/rmi-test:1 true 2>&1); RC=$?
check "--rmi while another container uses the image: exit 0, podman's warning" \
  "0 image is in use by a container" "$RC $(printf '%s' "$OUT" | grep -o 'image is in use by a container')"
check "... the image stays" "0" "$(status P image exists localhost/rmi-test:1)"
P rm rmikeep >/dev/null
check "--rmi (implies --rm): the container and then the image are gone" "0 1 0" \
  "$(P run --rmi --name rmione localhost/rmi-test:1 true; echo -n "$? "; status P image exists localhost/rmi-test:1 | tr -d '\n'; echo -n " "; P ps -a --format '{{.Names}}' | count_matching '^rmione$')"
P run --name rmisrc $IMG true >/dev/null && P commit -q rmisrc localhost/rmi-test:1 >/dev/null && P rm rmisrc >/dev/null
check_refused "--rmi with --rm=false: podman's refusal" "Error: the --rmi option does not work without --rm" \
  "$(P run --rmi --rm=false localhost/rmi-test:1 true 2>&1)"
P run -d --name rmid --rmi localhost/rmi-test:1 sleep 60 >/dev/null
check "-d --rmi: inspect's AutoRemoveImage and AutoRemove" "true true" \
  "$(P inspect --format '{{.HostConfig.AutoRemoveImage}} {{.HostConfig.AutoRemove}}' rmid)"
check "... once stop returns, the container and the image are gone" "1 1" \
  "$(P stop -t 0 rmid >/dev/null; status P container exists rmid | tr -d '\n'; echo -n " "; status P image exists localhost/rmi-test:1)"

echo "1..$n"
[ "$fails" = 0 ]
