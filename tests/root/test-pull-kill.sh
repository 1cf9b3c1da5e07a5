#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# SIGKILL `podunit pull` at random points (issue 9's acceptance): 20
# trials against Debian's docker-registry on 127.0.0.1, an image of 4
# layers (~14 MB). After each kill the next pull must succeed with the
# image's id, and after `image prune` the store must hold exactly what a
# clean pull leaves (no staging dir, no stray blob or layer).
# Usage: test-pull-kill.sh PODUNIT [TRIALS]   (needs root)
set -u
PODUNIT=$(readlink -f "$1")
TRIALS=${2:-20}
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi
for t in docker-registry skopeo curl; do
  command -v $t >/dev/null || { echo "skip: $t is not installed (tools/deps.sh)"; exit 77; }
done
T=$(mktemp -d /tmp/podunit-test-pull-kill.XXXXXX)
PIDS=()
cleanup () {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap cleanup EXIT
. "$HERE/lib.sh"
: > "$T/empty.conf"
export CONTAINERS_REGISTRIES_CONF=$T/empty.conf
P () { "$PODUNIT" --root "$T/root" --runroot "$T/run" "$@"; }
# The store's content, without its lock files and caches.
store_files () { (cd "$T/root" && find blobs layers images tmp -mindepth 1 -maxdepth 2 2>/dev/null | LC_ALL=C sort); }

python3 "$HERE/../images/mkimage.py" big "$T/big.tar" 3 8 >/dev/null || { echo "Bail out! image"; exit 1; }
start_registry kill ""
R=127.0.0.1:$PORT
skopeo copy -q --dest-tls-verify=false "oci-archive:$T/big.tar" "docker://$R/kill/big:1" \
  || { echo "Bail out! skopeo copy"; exit 1; }

# A clean pull: the id, how long it takes, and what it leaves.
start=$(date +%s%N)
ID=$(P pull -q --tls-verify=false "$R/kill/big:1")
ms=$(( ($(date +%s%N) - start) / 1000000 ))
check_match "a clean pull" '^[0-9a-f]{64}$' "$ID"
P image prune -f >/dev/null
REF=$(store_files)
echo "# a clean pull took $ms ms; kills land in 0..$((ms * 6 / 5)) ms"

killed=0
for i in $(seq "$TRIALS"); do
  P rmi -a -f >/dev/null 2>&1
  # podunit itself in the background (not the function P: $! would be a subshell).
  "$PODUNIT" --root "$T/root" --runroot "$T/run" pull -q --tls-verify=false "$R/kill/big:1" >/dev/null 2>&1 &
  pid=$!
  delay=$(( RANDOM % (ms * 6 / 5 + 1) ))
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rc=$?
  [ "$rc" = 137 ] && killed=$((killed + 1))
  check "trial $i (killed at $delay ms): the next pull succeeds" "$ID" "$(P pull -q --tls-verify=false "$R/kill/big:1" 2>&1)"
  P image prune -f >/dev/null
  check "trial $i: after image prune, exactly a clean pull's files" "$REF" "$(store_files)"
done
echo "# $killed of $TRIALS pulls were killed before they finished"
check "the image pulled last runs" "data0/f000" "$(P run --rm "$R/kill/big:1" sh -c 'cd / && ls data0 | head -n1 | sed s,^,data0/,')"
P rm -a -f >/dev/null 2>&1
echo "1..$n"
[ "$fails" = 0 ]
