#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root integration tests of named volumes: podunit volume create|ls|inspect|
# rm|prune|exists and their use by `run -v NAME:/path` (podman's behaviour).
# Usage: test-volume.sh PODUNIT   (needs root; prints "ok"/"not ok" lines)
set -u
PODUNIT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi

T=$(mktemp -d /tmp/podunit-test-volume.XXXXXX)
cleanup () {
  "$PODUNIT" --root "$T/root" --runroot "$T/run" rm -a -f >/dev/null 2>&1
  "$PODUNIT" --root "$T/root" --runroot "$T/run" volume rm -a -f >/dev/null 2>&1
  grep -q "$T" /proc/self/mountinfo && echo "leftover mounts under $T"
  rm -rf "$T"
}
trap cleanup EXIT
P () { "$PODUNIT" --root "$T/root" --runroot "$T/run" "$@"; }

. "$HERE/lib.sh"

sh "$HERE/../images/make-busybox-oci.sh" "$T/busybox.tar" >/dev/null || { echo "Bail out! image"; exit 1; }
P load -i "$T/busybox.tar" >/dev/null || { echo "Bail out! load"; exit 1; }
IMG=localhost/busybox:latest

# --- create / ls / inspect / exists ---
check "create prints the name" "data" "$(P volume create --label app=x data)"
check "create of an existing volume: 125 and podman's message" "125 Error: volume with name data already exists: volume already exists" \
  "$(failing P volume create data)"
check "--ignore: success, name printed" "data" "$(P volume create --ignore --label other=1 data)"
check "--ignore changes nothing" '{"app":"x"}' "$(P volume inspect --format '{{json .Labels}}' data)"
check_match "no name: a random 64-hex name" "^[0-9a-f]{64}$" "$(P volume create | tee "$T/random-name")"
RANDOM_NAME=$(cat "$T/random-name")
check "ls: header, then driver and name sorted by name" \
  "DRIVER      VOLUME NAME|$(printf 'local       %s\n' data "$RANDOM_NAME" | LC_ALL=C sort | tr '\n' '|' | sed 's/|$//')" \
  "$(P volume ls | tr '\n' '|' | sed 's/|$//')"
check "ls --filter label=" "data" "$(P volume ls -q --filter label=app=x)"
check "ls --filter name=" "data" "$(P volume ls --filter name=^dat --format '{{.Name}}')"
check "ls --format" "local data" "$(P volume ls --filter label=app --format '{{.Driver}} {{.Name}}')"
check "inspect: Name, Driver, Scope" "data local local" \
  "$(P volume inspect data | tee "$T/inspect" | python3 -c 'import json,sys; v=json.load(sys.stdin)[0]; print(v["Name"], v["Driver"], v["Scope"])')"
check "inspect: Mountpoint" "$T/root/volumes/data/_data" "$(P volume inspect --format '{{.Mountpoint}}' data)"
check_match "inspect: CreatedAt" '"CreatedAt" : "20[0-9-]+T[0-9:.]+[+-][0-9:]+"' "$(cat "$T/inspect")"
# podman 4.3.1: "[]" on stdout, exit 125 (its message adds "inspecting object: ")
check "inspect of an unknown volume: [] and exit 125, as podman" "[] 125" "$(out=$(P volume inspect nope 2>/dev/null); echo "$out $?")"
check "inspect of an unknown volume names it" "Error: no such volume nope" "$(P volume inspect nope 2>&1 >/dev/null; [ $? = 125 ])"
check "exists" "0 1" "$(status P volume exists data) $(status P volume exists nope)"
check_match "driver other than local is refused, naming it" '^125 Error: volume driver "nfs"' "$(failing P volume create --driver nfs x)"
check_match "unsupported device type is refused, naming it" "^125 Error: volume option type=btrfs" \
  "$(failing P volume create -o type=btrfs -o device=/dev/vda1 x)"
check_match "mount options without a device are refused, naming them" "^125 Error: volume option o=compress=zstd" \
  "$(failing P volume create -o o=compress=zstd x)"
check "a refused create leaves no volume" "1 0" "$(status P volume exists x) $(status P volume exists data)"

# --- uid/gid ---
check_ok "create -o o=uid=,gid=" P volume create -o o=uid=1234,gid=5678 owned
check "o=uid=,gid= owns _data" "1234:5678" "$(stat -c %u:%g "$T/root/volumes/owned/_data")"
check_ok "create --uid --gid" P volume create --uid 42 --gid 43 owned2
check "--uid/--gid own _data" "42:43" "$(stat -c %u:%g "$T/root/volumes/owned2/_data")"
check "the container sees the owner" "1234 5678" "$(P run --rm -v owned:/data $IMG stat -c '%u %g' /data)"

# --- data persists across containers; in-use protection ---
check_ok "a container writes to the volume" P run --rm -v data:/data $IMG sh -c 'echo hello > /data/f'
check "data persists across two containers" "hello" "$(P run --rm -v data:/data $IMG cat /data/f)"
check "the file is in the Mountpoint" "hello" "$(cat "$T/root/volumes/data/_data/f")"
check_ok "run -v with a new volume name" P run --rm -v implicit:/data $IMG true
check "run -v creates the volume record" "0 implicit" \
  "$(status P volume exists implicit) $(P volume inspect --format '{{.Name}}' implicit)"
check_ok "create a container that uses the volume" P create --name user -v data:/data $IMG true
check "rm of a volume in use: exit 2" "2" "$(status P volume rm data)"
check_match "rm of a volume in use: podman's message" "^2 Error: volume data is being used by the following container\(s\): [0-9a-f]{64}" \
  "$(failing P volume rm data)"
check "ls --filter dangling=false" "data" "$(P volume ls -q --filter dangling=false)"
check "the volume is still there" "hello" "$(cat "$T/root/volumes/data/_data/f")"
check "prune without -a keeps named volumes" "0" "$(P volume prune -f >/dev/null && status P volume exists implicit)"
check "prune -a keeps a volume in use" "0" "$(P volume prune -a -f >/dev/null && status P volume exists data)"
check "prune -a removed the unused ones" "data" "$(P volume ls -q)"
check "rm -f removes the container too" "data|0" "$(P volume rm -f data | tr '\n' '|' && P ps -a -q | wc -l)"
check "rm of an unknown volume: podman's status and message" "1 Error: no volume with name \"nope\" found: no such volume" \
  "$(failing P volume rm nope)"

# --- anonymous volumes (-v /path): rm -v removes them, named ones stay ---
check_ok "create keep" P volume create keep
check_ok "create with -v /path" P create --name anon -v /scratch -v keep:/keep $IMG true
check_match "-v /path makes an anonymous volume with a 64-hex name" "^[0-9a-f]{64}$" \
  "$(P volume ls -q | grep -Ev '^(keep|owned|owned2|implicit)$' | tee "$T/anon")"
ANON=$(cat "$T/anon")
check "inspect marks it Anonymous" "true" "$(P volume inspect --format '{{.Anonymous}}' "$ANON")"
check_ok "rm anon" P rm anon
check "rm without -v keeps it" "0" "$(status P volume exists "$ANON")"
check "prune without -a removes an unused anonymous volume, keeps the named one" "1 0" \
  "$(P volume prune -f >/dev/null && echo "$(status P volume exists "$ANON") $(status P volume exists keep)")"
check_ok "create with --mount type=volume and no source" P create --name anon2 --mount type=volume,destination=/s -v keep:/keep $IMG true
check_match "--mount type=volume without source: an anonymous volume" "^[0-9a-f]{64}$" \
  "$(P volume ls -q | grep -Ev "^(keep|owned|owned2|implicit|$ANON)$" | tee "$T/anon2")"
ANON2=$(cat "$T/anon2")
check "rm -v removes the anonymous volume, not the named one" "1 0" \
  "$(P rm -v anon2 >/dev/null && echo "$(status P volume exists "$ANON2") $(status P volume exists keep)")"

# --- device volumes: tmpfs and bind, mounted on _data at first use ---
check_ok "create a tmpfs volume" P volume create -o type=tmpfs -o device=tmpfs -o o=size=1m,uid=7 tvol
check "tmpfs volume: a tmpfs of the size in the container" "tmpfs 1024" \
  "$(P run --rm -v tvol:/t $IMG sh -c 'echo x > /t/f; echo $(stat -f -c %T /t) $(df -k /t | awk "NR==2 {print \$2}")')"
check "tmpfs volume: shared by the next container" "x 7" "$(P run --rm -v tvol:/t $IMG sh -c 'cat /t/f; stat -c %u /t' | tr '\n' ' ' | sed 's/ $//')"
mkdir "$T/host"; echo there > "$T/host/g"
check_ok "create a bind volume" P volume create -o type=none -o o=bind -o device="$T/host" bvol
check "bind volume: the device's files" "there" "$(P run --rm -v bvol:/b $IMG cat /b/g)"
check_ok "a container writes to the bind volume" P run --rm -v bvol:/b $IMG sh -c 'echo new > /b/h'
check "bind volume: writes reach the device" "new" "$(cat "$T/host/h")"
check_ok "volume rm tvol bvol" P volume rm tvol bvol
check "rm unmounts and keeps the bound directory" "g h" "$(ls "$T/host" | tr '\n' ' ' | sed 's/ $//')"
check "no volume mount left, the volumes gone" "0 0" \
  "$(count_matching "$T/root/volumes" < /proc/self/mountinfo) $(P volume ls -q | count_matching '^(tvol|bvol)$')"
check_match "bind device must exist, named" "^125 Error: volume option device=/nonexistent" \
  "$(failing P volume create -o type=none -o o=bind -o device=/nonexistent x)"

echo "1..$n"
exit $((fails > 0))
