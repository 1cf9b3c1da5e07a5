# SPDX-License-Identifier: Apache-2.0
# Sourced by root test scripts that make their own network namespace, so
# that the host's interfaces and ruleset are never touched:
#   own_netns PREFIX "$@"
# re-executes the script inside a new namespace PREFIX-PID (loopback up;
# PODUNIT_TEST_NETNS names it there), ends by pid whatever the tests left
# running in it (aardvark-dns, supervisors after a failure: they were
# started by the tests), deletes it and exits with the script's status.
# Inside the namespace it returns at once.
own_netns () {
  local prefix=$1 ns rc
  shift
  [ -n "${PODUNIT_TEST_NETNS:-}" ] && return 0
  ns=$prefix-$$
  ip netns add "$ns" || { echo "Bail out! ip netns add"; exit 1; }
  ip -n "$ns" link set lo up
  PODUNIT_TEST_NETNS=$ns PODUNIT_ISOLATED_NETNS=1 ip netns exec "$ns" "$0" "$@"
  rc=$?
  for p in $(ip netns pids "$ns"); do kill -9 "$p" 2>/dev/null; done
  ip netns del "$ns"
  exit $rc
}
