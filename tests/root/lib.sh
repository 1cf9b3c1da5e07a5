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
