#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root tests of container logs as a user sees them (issue 12): every
# container is logged, the foreground one too (`run` without -d, `start
# -a`), in podman's k8s-file format; the log drivers and --log-opt; a
# multi-MB output reaches the terminal and the log whole and in order.
# Usage: test-logs.sh PODUNIT   (needs root; prints "ok"/"not ok" lines)
set -u
PODUNIT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi

. "$HERE/lib.sh"
private_store test-logs
# containers.conf of the host must not pick the driver here
export CONTAINERS_CONF=$T/containers.conf
: >"$CONTAINERS_CONF"
STAMP='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}[+-][0-9]{2}:[0-9]{2}'
logpath () { P inspect --format '{{.HostConfig.LogConfig.Path}}' "$1"; }

# --- a foreground run is logged ---
check "foreground run: stdout and stderr reach the caller's" "out|err" \
  "$(P run --name fg $IMG sh -c 'echo out; echo err >&2' 2>"$T/fg.err" | tr -d '\n'; echo "|$(cat "$T/fg.err")")"
check "logs after a foreground run" "out" "$(P logs fg 2>/dev/null)"
check "logs after a foreground run: stderr to stderr" "err" "$(P logs fg 2>&1 >/dev/null)"
check "default driver without journald: k8s-file, in the container's dir" \
  "k8s-file $T/root/containers/$(P inspect --format '{{.Id}}' fg)/ctr.log" \
  "$(P inspect --format '{{.HostConfig.LogConfig.Type}} {{.HostConfig.LogConfig.Path}}' fg)"
check_match "k8s-file records: TIMESTAMP STREAM F LINE (conmon's)" \
  "^$STAMP stdout F out
$STAMP stderr F err\$" "$(cat "$(logpath fg)")"
check_match "a last line without its newline is a partial (P) record" "^$STAMP stdout P abc\$" \
  "$(P run --name part $IMG printf abc >/dev/null && cat "$(logpath part)")"
check "logs prints a partial line as it was" "abc" "$(P logs part)"
check "a line of 10000 bytes: one P record of 8192, then F" "P 8192 F 1808" \
  "$(P run --name long $IMG sh -c 'head -c 10000 /dev/zero | tr "\0" x; echo' >/dev/null &&
     awk '{ printf "%s %d ", $3, length($4) }' "$(logpath long)" | sed 's/ $//')"
check "logs joins the pieces of the long line" "10001 1" "$(P logs long | wc -c) $(P logs long | wc -l)"
check_ok "start -a runs it again" P start -a fg
check "start -a appends to the log (podman keeps one log per container)" "out out" \
  "$(P logs fg 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
check "--rm: the output still reaches the caller" "gone" "$(P run --rm $IMG echo gone)"
check "-t: the terminal's output is logged" "tty" \
  "$(P run -t --name tt $IMG echo tty >/dev/null && P logs tt | tr -d '\r')"
check "-t --timeout 1: killed after a second, run exits 255" "255" \
  "$(timeout -s KILL 30 "$PODUNIT" --root "$T/root" --runroot "$T/run" run --rm -t --timeout 1 $IMG sleep 20 >/dev/null; echo $?)"

# --- logs: several containers, --until, --names, restart ---
check_ok "two containers with two lines each" P run --name m1 $IMG sh -c 'echo a1; echo a2'
check_ok "... the second" P run --name m2 $IMG sh -c 'echo b1; echo b2'
check "logs of two containers: each line after its short id, in order" \
  "$(P inspect --format '{{.Id}}' m1 | cut -c1-12) a1|$(P inspect --format '{{.Id}}' m1 | cut -c1-12) a2|$(P inspect --format '{{.Id}}' m2 | cut -c1-12) b1|$(P inspect --format '{{.Id}}' m2 | cut -c1-12) b2" \
  "$(P logs m1 m2 | tr '\n' '|' | sed 's/|$//')"
check "-f of two exited containers: both, each in order" "m1 a1|m1 a2|m2 b1|m2 b2" \
  "$(timeout 20 "$PODUNIT" --root "$T/root" --runroot "$T/run" logs -f -n m1 m2 | sort | tr '\n' '|' | sed 's/|$//')"
check "logs of a missing container among others: 125, nothing printed" "125 Error: no container with name or ID \"nosuch\" found: no such container" \
  "$(failing P logs m1 nosuch)"
check "--until a time before the run: nothing" "" "$(P logs --until 1000 m1)"
check "--until a time after it: everything" "a1 a2" "$(P logs --until "$(date --date='+1 second' --iso-8601=ns)" m1 | tr '\n' ' ' | sed 's/ $//')"
check "--since -1s (a second from now): nothing" "" "$(P logs --since -1s m1)"
check_ok "a container printing a numbered line every 0.2 s" P run -d --name ticker $IMG sh -c 'n=0; while :; do n=$((n+1)); echo tick$n; sleep 0.2; done'
check "logs -f --until 2s ends after 2 s while it runs" "ok" \
  "$(s=$(date +%s%N); out=$(timeout 20 "$PODUNIT" --root "$T/root" --runroot "$T/run" logs -f --until 2s ticker); r=$?; e=$(( ($(date +%s%N) - s) / 1000000 )); [ $r = 0 ] && [ $e -ge 1900 ] && [ $e -lt 10000 ] && printf '%s\n' "$out" | grep -qx tick2 && echo ok || echo "rc=$r ${e}ms")"
check_ok "restart a running container" P restart -t 0 ticker
check "restart: running again, the log goes on from tick1 a second time" "running 2" \
  "$(sleep 0.5; echo "$(P inspect --format '{{.State.Status}}' ticker) $(P logs ticker | grep -c '^tick1$')")"
check_ok "rm -f the ticker" P rm -f -t 0 ticker
check "restart of a missing container: 125" "125" "$(failing P restart nosuch | cut -d' ' -f1)"

# --- big output: whole, in order, on the terminal and in the log ---
head -c 3000000 /dev/urandom | base64 >"$T/big.txt" # ~4 MB of lines
check "4 MB of lines: the terminal gets them byte for byte" "same" \
  "$(P run --name big -v "$T/big.txt:/big.txt:ro" $IMG cat /big.txt >"$T/big.out" && cmp -s "$T/big.txt" "$T/big.out" && echo same)"
check "4 MB of lines: logs gives them back byte for byte" "same" \
  "$(P logs big >"$T/big.logs" && cmp -s "$T/big.txt" "$T/big.logs" && echo same)"
check "4 MB of lines: one F record a line" "$(wc -l <"$T/big.txt") 0" \
  "$(grep -c ' stdout F ' "$(logpath big)") $(grep -vcE "^$STAMP stdout F " "$(logpath big)" || true)"
check "seq 1 200000: the terminal gets every line in order" "ok" \
  "$(P run --name seq $IMG seq 1 200000 | cmp -s - <(seq 1 200000) && echo ok)"
check "seq 1 200000: logs gives every line in order" "ok" \
  "$(P logs seq | cmp -s - <(seq 1 200000) && echo ok)"
# podman's [030] "does not truncate or hang with big output": stdout only to the log
check "--attach stderr: 700000 NULs reach the log, not the terminal" "700000+0 records in|700000" \
  "$(P run --name nul --attach stderr $IMG dd if=/dev/zero count=700000 bs=1 2>&1 | head -1 | tr '\n' '|'; tr -cd '\0' <"$(logpath nul)" | wc -c)"
check "a slow reader loses nothing (the container waits)" "200000" \
  "$(P run --rm $IMG seq 1 200000 | (sleep 1; cat) | wc -l)"
check "a reader that goes away: the run ends, the log is whole" "1 200000" \
  "$(timeout 60 "$PODUNIT" --root "$T/root" --runroot "$T/run" run --name gone $IMG seq 1 200000 | head -1 | tr '\n' ' '; P logs gone | wc -l)"

# --- drivers ---
check "json-file: kept as asked (inspect), a k8s-file" "json-file|x" \
  "$(P run --name jf --log-driver json-file $IMG echo x >/dev/null; echo "$(P inspect --format '{{.HostConfig.LogConfig.Type}}' jf)|$(P logs jf)")"
check "none: the output still reaches the caller" "quiet" "$(P run --name nl --log-driver none $IMG echo quiet)"
check "none: no log path" "" "$(P inspect --format '{{.HostConfig.LogConfig.Path}}' nl)"
check "none: logs refuses as podman" \
  "125 Error: this container is using the 'none' log driver, cannot read logs: this container is not logging output" \
  "$(failing P logs nl)"
check "passthrough: the container writes to the caller's stdout itself" "through" \
  "$(P run --name pt --log-driver passthrough $IMG echo through </dev/null | cat)"
check "passthrough: logs refuses" \
  "125 Error: this container is using the 'passthrough' log driver, cannot read logs: this container is not logging output" \
  "$(failing P logs pt)"
check "passthrough: create prints no id (podman)" "" \
  "$(P create --name ptc --log-driver passthrough $IMG true </dev/null | cat)"
check "passthrough on a terminal: refused as podman" "1" \
  "$({ python3 "$HERE/tty-run.py" never x "$PODUNIT" --root "$T/root" --runroot "$T/run" run --rm --log-driver passthrough $IMG true || true; } | grep -c "cannot be used on a TTY.  If you really want it, use '--log-driver passthrough-tty'")"
check "passthrough-tty on a terminal runs" "tty-ok" \
  "$(python3 "$HERE/tty-run.py" never x "$PODUNIT" --root "$T/root" --runroot "$T/run" run --rm --log-driver passthrough-tty $IMG echo tty-ok | tr -d '\r')"
check "--attach with passthrough: refused" \
  "125 Error: cannot specify --attach with --log-driver=passthrough: invalid argument" \
  "$(failing P run --rm -a stdout --log-driver passthrough $IMG true)"
check "an unknown driver: podman's error, 125" \
  "125 Error: running container create option: invalid log driver: invalid argument" \
  "$(failing P run --rm --log-driver syslog $IMG true)"

# --- --log-opt ---
check "--log-opt path=: the log goes there" "mine" \
  "$(P run --name lp --log-opt path="$T/my.log" $IMG echo mine >/dev/null; sed 's/.* F //' "$T/my.log")"
check "--log-opt path=: inspect and logs use it" "$T/my.log mine" \
  "$(echo "$(logpath lp) $(P logs lp)")"
check "--log-opt path= in a missing directory: the start fails naming it" "1" \
  "$(failing P run --rm --log-opt path="$T/nodir/x.log" $IMG true | grep -c "^125 Error: opening the log $T/nodir/x.log")"
check "--log-opt path= in a missing directory, -d: fails too" "1" \
  "$(failing P run -d --rm --log-opt path="$T/nodir/x.log" $IMG true | grep -c "^125 Error: opening the log $T/nodir/x.log")"
check "--log-opt max-size=: the file starts over past it" "1" \
  "$(P run --name ms --log-opt max-size=1k $IMG seq 1 2000 >/dev/null; s=$(stat -c %s "$(logpath ms)"); [ "$s" -le 1000 ] && echo 1)"
check "--log-opt without =: refused" "125 Error: invalid log option \"path\"" "$(failing P run --rm --log-opt path $IMG true)"
check "--log-opt driver= picks the driver" "none" \
  "$(P create --name ld --log-opt driver=none $IMG true >/dev/null; P inspect --format '{{.HostConfig.LogConfig.Type}}' ld)"

# --- containers.conf ---
printf '[containers]\nlog_driver = "none"\nlog_tag = "conftag"\n' >"$CONTAINERS_CONF"
check "containers.conf log_driver and log_tag" "none conftag" \
  "$(P create --name cc $IMG true >/dev/null; P inspect --format '{{.HostConfig.LogConfig.Type}} {{.HostConfig.LogConfig.Tag}}' cc)"
check "--log-driver wins over containers.conf" "k8s-file" \
  "$(P create --name cc2 --log-driver k8s-file $IMG true >/dev/null; P inspect --format '{{.HostConfig.LogConfig.Type}}' cc2)"
printf '[containers]\nlog_path = "%s"\n' "$T/conf.log" >"$CONTAINERS_CONF"
check "containers.conf log_path" "conf" "$(P run --name cp $IMG echo conf >/dev/null; sed 's/.* F //' "$T/conf.log")"
: >"$CONTAINERS_CONF"

echo "1..$n"
[ "$fails" = 0 ]
