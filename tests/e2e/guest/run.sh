#!/bin/bash
# In-guest driver (systemd is PID 1): installs podunit from the payload, loads
# the test image, then runs every scenario in /e2e/scenarios in order.
# $1 = results dir (returned to the host as a tar). Exit status = failed checks.
# Boot 2 (only when a scenario has check-after-reboot) runs those instead.
R=${1:-/run/e2e-results}; mkdir -p "$R"
S=$R/summary.txt; : > "$S"
E2E_DIR=$(cd "$(dirname "$0")" && pwd)
# E2E_CHECK_TIMEOUT, from the host (tests/e2e/run)
[ -f "$E2E_DIR/env" ] && . "$E2E_DIR/env"
STATE=/var/lib/podunit-e2e
QDIR=/etc/containers/systemd
export E2E_DIR E2E_RESULTS=$R E2E_EXAMPLES=$E2E_DIR/examples
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
FAILS=0
result() {          # result PASS|FAIL NAME [seconds]
  echo "$1 $2${3:+ (${3}s)}" | tee -a "$S"
  [ "$1" = PASS ] || FAILS=$((FAILS + 1))
}
info() { echo "INFO $*" | tee -a "$S"; }
now() { cut -d' ' -f1 /proc/uptime; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# The unit files of a scenario: Quadlet files and drop-in dirs at its top.
scenario_units() {
  find "$1" -mindepth 1 -maxdepth 1 \( -name '*.container' -o -name '*.pod' -o -name '*.volume' \
    -o -name '*.network' -o -name '*.image' -o -name '*.kube' -o -name '*.d' \) -printf '%f\n' | sort
}

# Stops the services generated from the given files, removes the files and reloads.
remove_units() {
  local f svc
  for f in "$@"; do
    for svc in $(grep -l "^SourcePath=$QDIR/$f\$" /run/systemd/generator/*.service 2>/dev/null); do
      systemctl stop "$(basename "$svc")" 2>/dev/null
    done
    rm -rf "${QDIR:?}/$f"
  done
  systemctl daemon-reload
  systemctl reset-failed
}

# run_check SCENARIO SCRIPT: runs the script as root from the scenario dir, logs to $R.
run_check() {
  local dir=$1 script=$2 name t0 rc
  name=$(basename "$dir" | sed 's/^[0-9]*-//')
  [ "$script" = check ] || name="$name/$script"
  t0=$(now)
  echo "==== $name"
  ( cd "$dir" && SCENARIO_DIR=$dir timeout "${E2E_CHECK_TIMEOUT:-300}" "./$script" ) \
    > "$R/$(basename "$dir").$script.log" 2>&1
  rc=$?
  cat "$R/$(basename "$dir").$script.log"
  if [ $rc = 0 ]; then result PASS "$name" "$(secs "$t0")"
  elif [ $rc = 124 ]; then result FAIL "$name" "timeout after $(secs "$t0")"
  else result FAIL "$name" "$(secs "$t0")"; fi
}

mkdir -p "$STATE" "$QDIR"
info "boot=$([ -f "$STATE/boot1-done" ] && echo 2 || echo 1) uptime_at_start=$(now)s kernel=$(uname -r)"
info "$(systemctl --version | head -1) cgroupfs=$(stat -fc %T /sys/fs/cgroup)"

if [ -f "$STATE/boot1-done" ]; then
  for dir in "$E2E_DIR"/scenarios/*/; do
    dir=${dir%/}
    [ -x "$dir/check-after-reboot" ] && run_check "$dir" check-after-reboot
  done
  info "uptime_at_end=$(now)s"
  exit $FAILS
fi

# ---- install podunit as `meson install` laid it out
t0=$(now)
if tar -C / --keep-directory-symlink --no-overwrite-dir --no-same-owner -xf "$E2E_DIR/stage.tar" && ldconfig \
   && command -v podunit >/dev/null && systemctl daemon-reload; then
  result PASS setup:install-podunit "$(secs "$t0")"
  info "installed: $(tar -tf "$E2E_DIR/stage.tar" | grep -v '/$' | sed 's|^\./|/|' | tr '\n' ' ')"
else
  result FAIL setup:install-podunit
fi

# ---- the busybox-static test image as localhost/busybox:latest
if [ -f "$E2E_DIR/images/busybox.tar" ]; then
  t0=$(now)
  if podunit load -i "$E2E_DIR/images/busybox.tar" && podunit images | grep -q 'localhost/busybox'; then
    result PASS setup:load-busybox-image "$(secs "$t0")"
  else
    result FAIL setup:load-busybox-image
  fi
else
  info "SKIP setup:load-busybox-image: $(cat "$E2E_DIR/images/why-not" 2>/dev/null)"
fi

# ---- scenarios, in the order given; those checked again after a reboot go last
for dir in "$E2E_DIR"/scenarios/*/; do
  dir=${dir%/}
  mapfile -t units < <(scenario_units "$dir")
  if [ ${#units[@]} -gt 0 ]; then
    cp -r "${units[@]/#/$dir/}" "$QDIR/"
    systemctl daemon-reload
  fi
  run_check "$dir" check
  if [ -x "$dir/check-after-reboot" ]; then
    touch "$STATE/boot1-done"         # keep its units for the next boot
  elif [ ${#units[@]} -gt 0 ]; then
    remove_units "${units[@]}"
  fi
done
info "uptime_at_end=$(now)s"
exit $FAILS
