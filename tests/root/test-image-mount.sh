#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root integration tests of `image mount` / `image unmount` (podman's
# output and statuses, image/image-mount.h): the path printed holds the
# image's files read-only, the listing, --all, unmounting, an unknown
# image, rmi of a mounted image.
# Usage: test-image-mount.sh PODUNIT   (needs root; prints "ok"/"not ok" lines)
set -u
PODUNIT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi
. "$HERE/lib.sh"
private_store image-mount
ID=$(P image inspect --format '{{.ID}}' "$IMG")

check "nothing mounted: unmount -a prints nothing" "" "$(P image umount -a)"
MP=$(P image mount "$IMG")
check "mount prints the path under RUNROOT" "$T/run/image-mounts/$ID" "$MP"
check "the image's files are there" "yes" "$([ -x "$MP/bin/busybox" ] && echo yes)"
check_match_refused "read-only" "Read-only file system" "$(touch "$MP/new" 2>&1)"
check "mount again: the same path" "$MP" "$(P image mount "$IMG")"
check_match "no arguments: NAME and PATH of what is mounted" "^$IMG +$MP\$" "$(P image mount)"
check_match "--all mounts every image and lists it" "^$IMG +$MP\$" "$(P image mount -a)"
check "umount -f prints the image id" "$ID" "$(P image umount -f "$IMG")"
check "it is gone" "no" "$(grep -q " $MP " /proc/self/mountinfo && echo yes || echo no)"
check "umount of an image not mounted prints nothing" "" "$(P image umount "$IMG")"
check "unknown image: 125, podman's message" "125 Error: no-such-image: image not known" \
  "$(failing P image umount no-such-image)"
check "nothing listed once unmounted" "" "$(P image mount)"
check_match "--all with names is refused" "^125 Error: when using the --all switch" \
  "$(failing P image mount -a "$IMG")"
check_match "umount without a name is refused" "^125 Error: image name or ID must be specified" \
  "$(failing P image umount)"
P run --name c2 "$IMG" sh -c 'echo two > /two' >/dev/null && P commit -q c2 localhost/two >/dev/null
MP2=$(P image mount localhost/two)
check "two layers (an overlay): the top layer's file and the base's" "two yes" \
  "$(cat "$MP2/two") $([ -x "$MP2/bin/busybox" ] && echo yes)"
check_match_refused "the overlay is read-only" "Read-only file system" "$(touch "$MP2/new" 2>&1)"
P image umount localhost/two >/dev/null
MP=$(P image mount "$IMG")
check_ok "rmi of a mounted image" P rmi -f "$IMG"
check "rmi unmounted it" "no" "$(grep -q " $MP " /proc/self/mountinfo && echo yes || echo no)"

echo "1..$n"
[ "$fails" = 0 ]
