# Helpers for scenario check scripts (bash): `. "$E2E_DIR/lib.sh"`.
# Each `step NAME CMD...` is one assertion; `finish` exits with the number of
# failed steps, which makes the scenario PASS only when every step passed.
E2E_STEP_FAILS=0

# step NAME CMD...: runs CMD, prints "ok NAME" or "not ok NAME".
step() {
  local name=$1; shift
  if "$@"; then echo "ok $name"
  else echo "not ok $name  (command: $*)"; E2E_STEP_FAILS=$((E2E_STEP_FAILS + 1)); fi
}

finish() {
  echo "$E2E_STEP_FAILS failed step(s)"
  exit "$E2E_STEP_FAILS"
}

# wait_for SECONDS CMD...: retries CMD every 0.2 s until it succeeds.
wait_for() {
  local end=$(( $(date +%s) + $1 )); shift
  until "$@" 2>/dev/null; do
    [ "$(date +%s)" -ge "$end" ] && return 1
    sleep 0.2
  done
}

is_active() { [ "$(systemctl is-active "$1")" = active ]; }
is_failed() { [ "$(systemctl is-active "$1")" = failed ]; }

# journal_of UNIT: the unit's journal of this boot as plain messages.
journal_of() { journalctl --sync 2>/dev/null; journalctl -b -u "$1" --no-pager -o cat; }

# unit_cgroup UNIT: the unit's cgroup directory in /sys/fs/cgroup.
unit_cgroup() { echo "/sys/fs/cgroup$(systemctl show -P ControlGroup "$1")"; }

# has_procs CGROUP_DIR: some process is in that cgroup (cgroup files report size 0).
has_procs() { grep -q . "$1/cgroup.procs"; }

# no_container_mounts: no overlay and nothing of podunit's storage is mounted.
no_container_mounts() { ! grep -E ' - overlay |podunit|containers/storage' /proc/self/mountinfo; }

# as_tester CMD...: runs CMD as the rootless user with its user manager's environment.
as_tester() { runuser -u tester -- env XDG_RUNTIME_DIR=/run/user/1000 "$@"; }

# for `bash -c` inside steps
export -f has_procs wait_for is_active is_failed journal_of unit_cgroup no_container_mounts as_tester
