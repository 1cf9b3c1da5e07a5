# SPDX-License-Identifier: Apache-2.0
# Shared by the root test scripts (sourced): TAP-style checks that count
# into $n and $fails.
#
# Every check fails when the command behind it fails. ACTUAL is a command
# substitution, "$(COMMAND)": bash hands a function the exit status of the
# last command substitution in its arguments as $?, so check sees
# COMMAND's status, and the scripts set -o pipefail so every command of a
# pipeline counts. A check of a command that must fail uses `failing`,
# which prints the status with the output, or check_refused /
# check_match_refused (a non-zero status and the message). An empty
# EXPECTED is only trusted with a status of 0.
# A script not audited yet sets LIB_STATUS_UNCHECKED=1 before sourcing this:
# its check/check_match then compare the output only, as before.
set -o pipefail
# Never in the host's network namespace: root's `run` without --network
# puts containers on the podunit0 bridge and writes table inet podunit.
# meson runs the root scripts through root/in-netns; by hand, do the same
# (`tests/root/in-netns tests/root/test-run.sh PODUNIT`).
if [ "$(id -u)" = 0 ] && [ -z "${PODUNIT_ISOLATED_NETNS:-}" ]; then
  echo "Bail out! in the host's network namespace: run through tests/root/in-netns"
  exit 1
fi
fails=0 n=0
report_fail () { # NAME EXPECTED ACTUAL STATUS
  echo "not ok $n - $1"
  echo "#   expected: $(printf %q "$2")"
  echo "#   actual:   $(printf %q "$3")"
  [ "$4" = 0 ] || echo "#   exit status: $4"
  fails=$((fails + 1))
}
check () { # NAME EXPECTED "$(COMMAND)": COMMAND exits 0 and prints EXPECTED
  local rc=$?
  [ "${LIB_STATUS_UNCHECKED:-0}" = 1 ] && rc=0
  n=$((n + 1))
  if [ "$rc" = 0 ] && [ "$2" = "$3" ]; then echo "ok $n - $1"
  else report_fail "$1" "$2" "$3" "$rc"; fi
}
check_match () { # NAME REGEX "$(COMMAND)": COMMAND exits 0 and its output matches
  local rc=$?
  [ "${LIB_STATUS_UNCHECKED:-0}" = 1 ] && rc=0
  n=$((n + 1))
  if [ "$rc" = 0 ] && printf '%s' "$3" | grep -Eq -- "$2"; then echo "ok $n - $1"
  else report_fail "$1" "match $2" "$3" "$rc"; fi
}
status () { "$@" >/dev/null 2>&1; echo $?; } # COMMAND: its exit status alone
check_refused () { # NAME EXPECTED "$(COMMAND)": COMMAND fails (non-zero) and prints EXPECTED
  local rc=$?
  n=$((n + 1))
  if [ "$rc" != 0 ] && [ "$2" = "$3" ]; then echo "ok $n - $1"
  else report_fail "$1" "$2 (and a non-zero exit)" "$3" "$rc"; fi
}
check_match_refused () { # NAME REGEX "$(COMMAND)": COMMAND fails and its output matches
  local rc=$?
  n=$((n + 1))
  if [ "$rc" != 0 ] && printf '%s' "$3" | grep -Eq -- "$2"; then echo "ok $n - $1"
  else report_fail "$1" "match $2 (and a non-zero exit)" "$3" "$rc"; fi
}
check_ok () { # NAME COMMAND...: COMMAND exits 0 (a step whose output is not checked)
  local name=$1 out rc
  shift
  n=$((n + 1))
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" = 0 ]; then echo "ok $n - $name"
  else report_fail "$name" "exit status 0" "$out" "$rc"; fi
}
failing () { # COMMAND...: prints "STATUS OUTPUT" (stdout and stderr, one line each)
  local out
  out=$("$@" 2>&1)
  echo "$? $out"
  return 0
}
count_matching () { # REGEX < INPUT: how many lines match (0 included); fails only on grep errors
  grep -cE -- "$1"
  [ $? -le 1 ]
}
# The elements in table inet podunit's sets and maps, one line per set
# that has any: none once every container is gone (the table and its
# rules stay for the next start, as netavark's table does; firewall.h).
nft_elements () { local r; r=$(nft list ruleset) || return 1; printf '%s\n' "$r" | grep -F 'elements = ' || true; }
# private_store NAME: a private store in a fresh /tmp/podunit-NAME.XXXXXX
# ($T; removed with its containers at exit), P running podunit on it, and
# busybox loaded as $IMG. Needs $PODUNIT and $HERE.
private_store () {
  T=$(mktemp -d "/tmp/podunit-$1.XXXXXX")
  trap private_store_cleanup EXIT
  P () { "$PODUNIT" --root "$T/root" --runroot "$T/run" "$@"; }
  sh "$HERE/../images/make-busybox-oci.sh" "$T/busybox.tar" >/dev/null || { echo "Bail out! image"; exit 1; }
  P load -i "$T/busybox.tar" >/dev/null || { echo "Bail out! load"; exit 1; }
  IMG=localhost/busybox:latest
}
private_store_cleanup () {
  "$PODUNIT" --root "$T/root" --runroot "$T/run" rm -a -f >/dev/null 2>&1
  grep -q "$T" /proc/self/mountinfo && echo "leftover mounts under $T"
  rm -rf "$T"
}

# start_registry NAME [EXTRA-YAML]: Debian's docker-registry on a free
# port of 127.0.0.1 with its data in $T/NAME, its pid added to PIDS (the
# caller kills them); sets PORT.
free_port () { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start_registry () {
  PORT=$(free_port)
  mkdir -p "$T/$1"
  cat > "$T/$1/config.yml" <<EOT
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $T/$1/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$PORT
$2
EOT
  docker-registry serve "$T/$1/config.yml" > "$T/$1/log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 50); do
    curl -sk -o /dev/null "http://127.0.0.1:$PORT/v2/" && return 0
    curl -sk -o /dev/null "https://127.0.0.1:$PORT/v2/" && return 0
    sleep 0.1
  done
  echo "Bail out! registry $1 did not start: $(cat "$T/$1/log")"; exit 1
}

