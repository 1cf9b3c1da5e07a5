# SPDX-License-Identifier: Apache-2.0
# Shared by the root test scripts (sourced): TAP-style checks that count
# into $n and $fails.
fails=0 n=0
check () { # NAME EXPECTED ACTUAL
  n=$((n + 1))
  if [ "$2" = "$3" ]; then echo "ok $n - $1"
  else echo "not ok $n - $1"; echo "#   expected: $(printf %q "$2")"; echo "#   actual:   $(printf %q "$3")"; fails=$((fails + 1)); fi
}
check_match () { # NAME REGEX ACTUAL
  n=$((n + 1))
  if printf '%s' "$3" | grep -Eq -- "$2"; then echo "ok $n - $1"
  else echo "not ok $n - $1"; echo "#   expected match: $2"; echo "#   actual: $(printf %q "$3")"; fails=$((fails + 1)); fi
}
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
