#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Rootless podunit (issue 11), as a throwaway user this test creates with
# a subordinate range in /etc/subuid and /etc/subgid (removed at the end):
# run in the rootless user namespace, --userns=keep-id, escape attempts,
# the clear errors; and root's mapped containers (--uidmap, --userns=auto).
# Usage: test-rootless.sh PODUNIT   (needs root, useradd, newuidmap)
set -u
PODUNIT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi
command -v newuidmap >/dev/null || { echo "skip: newuidmap missing (package uidmap)"; exit 77; }
command -v useradd >/dev/null || { echo "skip: useradd missing"; exit 77; }

U=purl$$
T=$(mktemp -d /tmp/podunit-test-rootless.XXXXXX)
chmod 755 "$T"
cleanup () {
  [ -n "${PAUSE:-}" ] && kill "$PAUSE" 2>/dev/null
  for p in $(pgrep -u "$U" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  sleep 0.2
  userdel -r "$U" >/dev/null 2>&1
  sed -i "/^$U:/d" /etc/subuid /etc/subgid
  umount -R "$T/xdg" 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
useradd -m -s /bin/sh "$U" || { echo "Bail out! useradd"; exit 1; }
# Only our range (Debian's useradd may have added one already).
sed -i "/^$U:/d" /etc/subuid /etc/subgid
echo "$U:300000:65536" >> /etc/subuid
echo "$U:300000:65536" >> /etc/subgid
UID_=$(id -u "$U")
XDG=$T/xdg
install -d -o "$U" -g "$U" -m 700 "$XDG"
# As logind's /run/user/UID: a nosuid,nodev tmpfs (its flags are locked
# for the user's namespace: a read-only bind remount must keep them).
mount -t tmpfs -o "nosuid,nodev,mode=700,uid=$UID_,gid=$(id -g "$U")" tmpfs "$XDG" \
  || { echo "Bail out! tmpfs on $XDG"; exit 1; }

# pasta (the rootless default network) opens /dev/net/tun as the user:
# udev makes it 0666, but this host (a container) keeps the kernel's root
# 0600. The user's commands get such a 0666 node over it, in a private
# mount namespace of their own; the host's stays as it is.
TUN=$T/tun
mknod -m 666 "$TUN" c 10 200 || { echo "Bail out! mknod tun"; exit 1; }
# As the user, with a login-like environment.
asuser_plain () {
  setpriv --reuid="$U" --regid="$U" --init-groups env -i HOME="/home/$U" USER="$U" LOGNAME="$U" \
    PATH=/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR="$XDG" "$@"
}
asuser () {
  unshare -m --propagation private sh -c 'mount --bind "$0" /dev/net/tun && shift && exec "$@"' \
    "$TUN" - setpriv --reuid="$U" --regid="$U" --init-groups env -i HOME="/home/$U" USER="$U" \
    LOGNAME="$U" PATH=/usr/sbin:/usr/bin:/sbin:/bin XDG_RUNTIME_DIR="$XDG" "$@"
}
P () { asuser "$PODUNIT" "$@"; }

. "$HERE/lib.sh"

sh "$HERE/../images/make-busybox-oci.sh" "$T/busybox.tar" >/dev/null || { echo "Bail out! image"; exit 1; }
chmod 644 "$T/busybox.tar"
P load -i "$T/busybox.tar" >/dev/null || { echo "Bail out! load as $U"; exit 1; }
IMG=localhost/busybox:latest

check "the store is the user's" "$UID_" "$(stat -c %u "/home/$U/.local/share/podunit")"
check "info: rootless, the kernel's overlay with userxattr" "true userxattr" \
  "$(P info --format '{{.Host.Security.Rootless}} {{index .Store.GraphOptions "overlay.mountopt"}}')"
check "run --rm id: root in the container" "uid=0(root) gid=0(root)" "$(P run --rm $IMG id)"
PAUSE=$(cat "$XDG/podunit/pause.pid" 2>/dev/null)
check "a pause process of the user keeps the namespace" "$UID_ podunit-pause" \
  "$(ps -o uid=,comm= -p "${PAUSE:-1}" | awk '{print $1, $2}')"
check "its map: the user, then the subordinate range" "0 $UID_ 1|1 300000 65536" \
  "$(awk '{print $1, $2, $3}' "/proc/$PAUSE/uid_map" | tr '\n' '|' | sed 's/|$//')"
check "layers keep their owners (a file of uid 0 is the user's on the host)" "$UID_" \
  "$(stat -c %u "$(ls -d /home/$U/.local/share/podunit/layers/*/diff/bin 2>/dev/null || ls -d /home/$U/.local/share/podunit/*/*/bin | head -1)" 2>/dev/null | head -1)"
check "--userns=keep-id: the user's uid inside" "uid=$UID_ gid=$UID_" \
  "$(P run --rm --userns=keep-id $IMG id)"
check "--userns=keep-id:uid=200,gid=210" "uid=200 gid=210" \
  "$(P run --rm --userns=keep-id:uid=200,gid=210 $IMG id)"
check "--uidmap within the namespace" "0 1 65536" \
  "$(P run --rm --uidmap 0:1:65536 $IMG cat /proc/self/uid_map | awk '{print $1, $2, $3}')"
check_refused "--uidmap beyond the user's ids is refused, naming them" \
  "125|Error: --uidmap 0:1:70000 maps ids the rootless namespace does not have (it has 0-65536: the user and /etc/subuid)" \
  "$(status P run --rm --uidmap 0:1:70000 $IMG true)|$(P run --rm --uidmap 0:1:70000 $IMG true 2>&1)"

check "--network host: the host's /sys, read-only" "uid=0(root) gid=0(root)|ro" \
  "$(P run --rm --network host $IMG sh -c 'id; touch /sys/x 2>/dev/null && echo rw || echo ro' | tr '\n' '|' | sed 's/|$//')"

# --- pasta: the default network, published ports ---
check_match "the default network is pasta's: eth0 with an address and a default route" \
  "^eth0 inet [0-9.]+/[0-9]+\|default via" \
  "$(P run --rm $IMG sh -c 'ip -o -4 addr show eth0 | awk "{print \$2, \$3, \$4}"; ip route | grep ^default' | tr '\n' '|')"
PORT=$(( 20000 + $$ % 20000 ))
P run -d --name web -p 127.0.0.1:$PORT:80 $IMG \
  sh -c 'mkdir -p /www; echo rootless-web > /www/index.html; exec httpd -f -p 80 -h /www' >/dev/null
fetch () { for _ in $(seq 50); do curl -fsS -m 2 "http://127.0.0.1:$PORT/" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
check "-p 127.0.0.1:$PORT:80: the container's web server answers on the host's loopback" \
  "rootless-web" "$(fetch)"
check "ps shows the published port" "127.0.0.1:$PORT->80/tcp" "$(P ps --format '{{.Ports}}' --filter name=web)"
WEBID=$(P inspect --format '{{.Id}}' web)
PASTA=$(cat "$XDG/podunit/networks/pasta/$WEBID" 2>/dev/null)
check "pasta runs as the user, not root" "$UID_" "$(stat -c %u "/proc/${PASTA:-0}")"
P stop -t 0 web >/dev/null
check "stop ends pasta and closes the port" "gone closed" \
  "$( { [ -d "/proc/${PASTA:-0}" ] && ! grep -q '^State:.*Z' "/proc/$PASTA/status" && echo alive || echo gone; } ) \
$(curl -fsS -m 2 "http://127.0.0.1:$PORT/" >/dev/null 2>&1 && echo open || echo closed)"
P start web >/dev/null
check "start again: the port answers" "rootless-web" "$(fetch)"
P rm -f -t 0 web >/dev/null
check "rm -f leaves no pasta of the user" "0" \
  "$(ps -u "$U" -o stat=,comm= | { grep -v '^Z' || true; } | { grep -c -E 'passt|pasta' || true; })"
# A rootless pod: pasta gives the infra's namespace its network and the
# pod's published port; members join it.
PPORT=$(( PORT + 1 ))
P pod create --name rpod -p 127.0.0.1:$PPORT:80 >/dev/null && P pod start rpod >/dev/null
P run -d --pod rpod --name rpweb $IMG \
  sh -c 'mkdir -p /www; echo rootless-pod > /www/index.html; exec httpd -f -p 80 -h /www' >/dev/null
fetchp () { for _ in $(seq 50); do curl -fsS -m 2 "http://127.0.0.1:$PPORT/" 2>/dev/null && return 0; sleep 0.1; done; return 1; }
check "a rootless pod: a member's server answers on the pod's published port" "rootless-pod" "$(fetchp)"
INFRA=$(P pod inspect --format '{{.InfraContainerID}}' rpod)
check "... the member is in the infra's network namespace" \
  "$(readlink "/proc/$(P inspect --format '{{.State.Pid}}' "$INFRA")/ns/net")" \
  "$(readlink "/proc/$(P inspect --format '{{.State.Pid}}' rpweb)/ns/net")"
P pod stop -t 0 rpod >/dev/null && P pod rm rpod >/dev/null
check "... pod stop and rm leave no container, no pasta, no open port" "0|0|closed" \
  "$(P ps -aq | wc -l)|$(ps -u "$U" -o stat=,comm= | { grep -v '^Z' || true; } | { grep -c -E 'passt|pasta' || true; })|$(curl -fsS -m 2 "http://127.0.0.1:$PPORT/" >/dev/null 2>&1 && echo open || echo closed)"
check "--network none: loopback only" "lo" "$(P run --rm --network none $IMG ls /sys/class/net)"
check_refused "without access to /dev/net/tun: pasta's error, naming the device" \
  "126|Error: pasta failed: Failed to open tun socket in namespace (/dev/net/tun is not open to the user: pasta needs it, mode 0666 as udev sets it)" \
  "$(asuser_plain "$PODUNIT" run --rm $IMG true >/dev/null 2>&1; echo $?)|$(asuser_plain "$PODUNIT" run --rm $IMG true 2>&1)"

# A unified hierarchy the user has no delegated part of (a login shell,
# not a systemd user service): a warning naming the fix, and it runs.
CG=$(unshare -m --propagation private sh -c "mount -t cgroup2 none /sys/fs/cgroup && \
  setpriv --reuid=$U --regid=$U --init-groups env -i HOME=/home/$U PATH=/usr/bin:/bin \
  XDG_RUNTIME_DIR=$XDG $PODUNIT --runroot $XDG/cg2 run --rm --network none $IMG echo ran 2>&1; \
  kill \$(cat $XDG/cg2/pause.pid)")
check_match "cgroup v2 without delegation: a warning naming the fix" \
  "running without a cgroup of its own \(limits are not applied\): run it from a systemd user service or \`systemd-run --user --scope\`" "$CG"
check_match "... and the container runs" "^ran$" "$(printf '%s\n' "$CG" | grep -x ran)"

# exec from a cgroup the user does not own (a login shell's session scope
# against a user unit's container, as in the VM): the kernel refuses the
# move into the container's cgroup (the common ancestor is root's); the
# exec runs all the same, in the caller's cgroup, as with podman.
CGX=$(unshare -m --propagation private bash -c '
  mount -t cgroup2 none /sys/fs/cgroup && mount --bind "$1" /dev/net/tun || exit 1
  B=/sys/fs/cgroup/podunit-test-rootless-$$; mkdir -p $B/deleg $B/other && chown -R "$2:" $B/deleg
  AS="setpriv --reuid=$2 --regid=$2 --init-groups env -i HOME=/home/$2 PATH=/usr/bin:/bin XDG_RUNTIME_DIR=$3"
  sh -c "echo \$\$ > $B/deleg/cgroup.procs && exec $AS $4 run -d --name cgx $5 sleep 300" >/dev/null
  ls $B/deleg | grep -c "^podunit-[0-9a-f]*$"
  sh -c "echo \$\$ > $B/other/cgroup.procs && exec $AS $4 exec cgx id" 2>&1
  $AS $4 rm -f -t 0 cgx >/dev/null
  sleep 0.3; find $B -depth -type d -exec rmdir {} \; 2>/dev/null; [ ! -e $B ]' \
  - "$TUN" "$U" "$XDG" "$PODUNIT" "$IMG" | tr '\n' '|' | sed 's/|$//')
check "exec from a cgroup the user does not own, into a container in the user's delegated cgroup" \
  "1|uid=0(root) gid=0(root)" "$CGX"

# Later commands reach earlier containers (the pause process's namespace):
# exec into a keep-id one, stop one whose process runs as a subordinate id.
P run -d --name kid --userns=keep-id $IMG sleep 300 >/dev/null
check "exec into a --userns=keep-id container" "uid=$UID_ gid=$UID_" "$(P exec kid id)"
P run -d --name sub --user 1000 $IMG sleep 300 >/dev/null
SUBPID=$(P inspect --format '{{.State.Pid}}' sub)
check "--user 1000 runs as subordinate id 300999 on the host" "300999" "$(stat -c %u "/proc/$SUBPID")"
P stop -t 0 kid sub >/dev/null 2>&1
check "stop reaches both" "exited exited" \
  "$(P inspect --format '{{.State.Status}}' kid) $(P inspect --format '{{.State.Status}}' sub)"
P rm kid sub >/dev/null

# The pause process killed while a container runs (systemd kills it with
# the user unit whose podunit made it): a new one joins the namespace the
# container is in, so later commands still reach it.
P run -d --name hold --user 1000 $IMG sleep 300 >/dev/null
HOLDNS=$(readlink "/proc/$(P inspect --format '{{.State.Pid}}' hold)/ns/user")
kill -9 "$(cat "$XDG/podunit/pause.pid")"
sleep 0.2
check "pause process killed: exec still reaches a running container" "sleep" \
  "$(P exec hold cat /proc/1/comm)"
check "... through a new pause process in the same namespace" "$HOLDNS" \
  "$(readlink "/proc/$(cat "$XDG/podunit/pause.pid")/ns/user")"
P stop -t 0 hold >/dev/null 2>&1
check "... and stop ends it (a subordinate uid, which only that namespace may signal)" "exited" \
  "$(P inspect --format '{{.State.Status}}' hold)"
P rm hold >/dev/null

# --- escape attempts ---
P run -d --name esc $IMG sleep 300 >/dev/null
CPID=$(P inspect --format '{{.State.Pid}}' esc)
check "the container's process runs as the user on the host" "$UID_" "$(stat -c %u "/proc/$CPID")"
check "... in a user namespace other than the host's" "different" \
  "$([ "$(readlink /proc/$CPID/ns/user)" != "$(readlink /proc/1/ns/user)" ] && echo different)"
check "host processes are not visible: pid 1 is the container's, no podunit or init" "sleep 0" \
  "$(P exec esc sh -c 'echo $(cat /proc/1/comm) $(cat /proc/[0-9]*/comm | grep -c -e podunit -e init -e systemd)')"
# Capabilities: /proc/PID/status, read on the host, shows a container's
# CapEff in its own user namespace (full with --cap-add ALL); in the host's
# it has none. Probed in a network namespace this test makes (owned by the
# host's user namespace, like the host's own), so that a failure would not
# touch the host: even with every capability, the container's root cannot
# add a link there, bind a port below 1024 there, or read /dev/mem.
CAPS=$(unshare -m -n --propagation private sh -c 'mount --bind "$0" /dev/net/tun && shift && exec "$@"' \
  "$TUN" - setpriv --reuid="$U" --regid="$U" --init-groups env -i HOME="/home/$U" \
  PATH=/usr/bin:/bin XDG_RUNTIME_DIR="$XDG" "$PODUNIT" run --rm --cap-add ALL --network host $IMG \
  sh -c 'ip link set lo up; grep ^CapEff /proc/self/status | cut -f2
    ip link add pu0 type dummy 2>/dev/null && echo link || echo no-link
    nc -l -p 80 2>/dev/null & sleep 0.5; kill $! 2>/dev/null && echo bound || echo no-bind
    mknod /tmp/mem c 1 1 2>/dev/null && head -c1 /tmp/mem >/dev/null 2>&1 && echo mem || echo no-mem' \
  | tr '\n' ' ')
check "with every capability in its own namespace (CapEff 000001ffffffffff) it has none in the host's" \
  "000001ffffffffff no-link no-bind no-mem " "$CAPS"
check "mounting over the store fails in the container" "fail" \
  "$(P exec esc sh -c "mount -t tmpfs none /home 2>/dev/null && echo mounted || echo fail")"
P kill esc >/dev/null; P rm -f esc >/dev/null

mkdir -p "$T/vol"; chown "$U:" "$T/vol"
echo secret > "$T/vol/rootfile"; chmod 644 "$T/vol/rootfile"
check "a root-owned file in a volume cannot be written" "denied" \
  "$(P run --rm -v "$T/vol:/data" $IMG sh -c 'echo x >> /data/rootfile 2>/dev/null && echo wrote || echo denied')"
check "... and is unchanged" "secret" "$(cat "$T/vol/rootfile")"
P run --rm -v "$T/vol:/data" $IMG touch /data/new >/dev/null
check "a file the container's root writes is the user's on the host" "$UID_" "$(stat -c %u "$T/vol/new")"

# --- clear errors ---
check_refused "XDG_RUNTIME_DIR unset" "125|Error: XDG_RUNTIME_DIR is not set: rootless podunit keeps its state there; log in through a session (for services: loginctl enable-linger $U) or give --runroot DIR" \
  "$(asuser env -u XDG_RUNTIME_DIR "$PODUNIT" ps >/dev/null 2>&1; echo $?)|$(asuser env -u XDG_RUNTIME_DIR "$PODUNIT" ps 2>&1)"
check_refused "XDG_RUNTIME_DIR owned by someone else" \
  "Error: XDG_RUNTIME_DIR /tmp is owned by uid 0, not by $U (uid $UID_): log in as that user (su - / machinectl shell, not plain su) or give --runroot DIR" \
  "$(asuser env XDG_RUNTIME_DIR=/tmp "$PODUNIT" ps 2>&1)"
BEFORE=$(pgrep -u "$U" -x podunit-pause)
mkdir -p "$T/empty" "$T/fakebin"; cp /usr/bin/newuidmap /usr/bin/newgidmap "$T/fakebin/"
check_refused "newuidmap missing" \
  "125|Error: newuidmap not found in PATH: install the package uidmap (Debian) or shadow-utils (RHEL) to run rootless containers" \
  "$(status asuser env PATH="$T/empty" "$PODUNIT" --runroot "$XDG/other" ps)|$(asuser env PATH="$T/empty" "$PODUNIT" --runroot "$XDG/other" ps 2>&1)"
check_refused "newuidmap without its privilege" \
  "Error: $T/fakebin/newuidmap is neither setuid root nor has file capabilities, so it cannot write id maps: reinstall it (chmod u+s $T/fakebin/newuidmap, or setcap cap_setuid+ep $T/fakebin/newuidmap)" \
  "$(asuser env PATH="$T/fakebin" "$PODUNIT" --runroot "$XDG/other" ps 2>&1)"
check "no pause process is left behind by a failed start" "0" \
  "$( { pgrep -u "$U" -x podunit-pause || true; } | { grep -cvxF "$BEFORE" || true; })"
sed -i "s/^$U:300000:65536$/$U:$UID_:65536/" /etc/subuid
check_refused "a range holding the user's own uid is refused" \
  "Error: /etc/subuid:$(grep -n "^$U:" /etc/subuid | cut -d: -f1): the range $UID_:65536 of $U holds the user's own id $UID_; give it a range of other ids" \
  "$(P --runroot "$XDG/other" ps 2>&1)"
sed -i "s/^$U:$UID_:65536$/$U:300000:1/" /etc/subuid
check_refused "a range of size 1 is refused" \
  "Error: /etc/subuid:$(grep -n "^$U:" /etc/subuid | cut -d: -f1): the range 300000:1 of $U has 1 id; a user namespace needs more (give it 65536, as useradd does)" \
  "$(P --runroot "$XDG/other" ps 2>&1)"
sed -i "/^$U:/d" /etc/subuid /etc/subgid
check_match "no range: a warning naming the fix, then the user's own id alone" \
  "no range for $U in /etc/subuid.*usermod --add-subuids" "$(P --runroot "$XDG/single" ps 2>&1)"
check_match "... and containers still run" "^uid=0\\(root\\) gid=0\\(root\\)" \
  "$(P --runroot "$XDG/single" run --rm $IMG id 2>/dev/null)"
for f in "$XDG/other/pause.pid" "$XDG/single/pause.pid"; do
  [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
done

# --- root: mapped containers ---
R () { "$PODUNIT" --root "$T/rootstore" --runroot "$T/rootrun" "$@"; }
R load -i "$T/busybox.tar" >/dev/null
check "root --uidmap: the container gets its own user namespace" "0 0 65536" \
  "$(R run --rm --uidmap 0:0:65536 $IMG cat /proc/self/uid_map | awk '{print $1, $2, $3}')"
# Root off host root: the layers through idmapped mounts, the upper dir
# the container root's.
check "root --uidmap 0:100000:65536: root inside, the image's files root's, writable" \
  "uid=0(root) gid=0(root)|0 0|wrote 0" \
  "$(R run --rm --uidmap 0:100000:65536 --gidmap 0:100000:65536 $IMG sh -c \
     'id; stat -c "%u %g" /bin/busybox; echo x >> /etc/passwd && touch /new && echo wrote $(stat -c %u /new)' \
     | tr '\n' '|' | sed 's/|$//')"
R run -d --name mapped --uidmap 0:100000:65536 --gidmap 0:100000:65536 $IMG \
  sh -c 'echo hi > /written; exec sleep 300' >/dev/null
MPID=$(R inspect --format '{{.State.Pid}}' mapped)
MID=$(R inspect --format '{{.Id}}' mapped)
check "... its process is host uid 100000" "100000" "$(stat -c %u "/proc/${MPID:-0}")"
sleep 0.3
check "... what it writes is 100000's on the host, the layers stay root's" "100000 0" \
  "$(stat -c %u "$T/rootstore/containers/$MID/upper/written") $(stat -c %u "$(ls -d "$T"/rootstore/layers/*/diff/bin | head -1)")"
check "... exec joins it" "uid=0(root) gid=0(root)" "$(R exec mapped id)"
R rm -f -t 0 mapped >/dev/null
check "... and none of its idmapped mounts is on the host" "0" "$(grep -cF "$T/rootrun" /proc/self/mountinfo || true)"
# --userns=auto takes its ids from the "containers" range, as podman's.
ADDED=
if ! grep -q '^containers:' /etc/subuid; then
  echo "containers:2000000:1000000" >> /etc/subuid; echo "containers:2000000:1000000" >> /etc/subgid; ADDED=1
fi
AUTOBASE=$(grep '^containers:' /etc/subuid | head -1 | cut -d: -f2)
check "root --userns=auto:size=1000: the first 1000 ids of the containers range, writable" \
  "0 $AUTOBASE 1000|wrote" \
  "$(R run --rm --userns=auto:size=1000 $IMG sh -c 'awk "{print \$1, \$2, \$3}" /proc/self/uid_map; touch /x && echo wrote' | tr '\n' '|' | sed 's/|$//')"
map_of () { R exec "$1" cat /proc/self/uid_map | awk '{print $1, $2, $3}'; }
R run -d --name auto1 --userns=auto:size=1000 $IMG sleep 300 >/dev/null
R run -d --name auto2 --userns=auto:size=1000 $IMG sleep 300 >/dev/null
check "two running --userns=auto containers get ids of their own" \
  "0 $AUTOBASE 1000|0 $((AUTOBASE + 1000)) 1000" "$(map_of auto1)|$(map_of auto2)"
R rm -f -t 0 auto1 >/dev/null
check "... and a removed one's ids are taken again" "0 $AUTOBASE 1000" \
  "$(R run --rm --userns=auto:size=1000 $IMG cat /proc/self/uid_map | awk '{print $1, $2, $3}')"
check "... while exec into the other still writes its root file system" "ok" \
  "$(R exec auto2 sh -c 'touch /x && echo ok')"
R rm -f -t 0 auto2 >/dev/null
[ -n "$ADDED" ] && sed -i '/^containers:2000000:1000000$/d' /etc/subuid /etc/subgid
check_refused "root --userns=keep-id is podman's error" "Error: --userns=keep-id is only supported in rootless mode" \
  "$(R run --rm --userns=keep-id $IMG true 2>&1)"
R rm -a -f >/dev/null 2>&1

# --- image scp between root's store and the user's (podman's USER@localhost::) ---
# The user's session directory where a login puts it (/run/user/UID), in a
# mount namespace of our own; root's named store stays root's.
Rscp () {
  unshare -m --propagation private sh -c 'mount -t tmpfs -o mode=755 tmpfs /run/user && mkdir /run/user/$0 &&
    mount --bind "$1" /run/user/$0 && mount --bind "$2" /dev/net/tun && shift 2 && exec "$@"' \
    "$UID_" "$XDG" "$TUN" "$PODUNIT" --root "$T/rootstore" --runroot "$T/rootrun" "$@"
}
R tag $IMG localhost/scpme:1 >/dev/null
SCPID=$(R image inspect --format '{{.ID}}' localhost/scpme:1)
check "root -> user: load's line as the user" "Loaded image: localhost/scpme:1" \
  "$(Rscp image scp localhost/scpme:1 "$U@localhost::" 2>&1)"
check "... the user's store has it, same ID" "$SCPID" "$(P image inspect --format '{{.ID}}' localhost/scpme:1)"
R rmi localhost/scpme:1 >/dev/null
check "user -> root with -q: only load's line" "Loaded image: localhost/scpme:1" \
  "$(Rscp image scp -q "$U@localhost::localhost/scpme:1" 2>&1)"
check "... in root's named store, same ID" "$SCPID" "$(R image inspect --format '{{.ID}}' localhost/scpme:1)"
Rscp image scp "$U@localhost::localhost/scpme:1" foobar:123 >/dev/null 2>&1
check "user -> root with a new name: tagged" "$SCPID" "$(R image inspect --format '{{.ID}}' foobar:123)"
Rscp image scp --format oci-archive localhost/scpme:1 "$U@localhost::scptwo" >/dev/null 2>&1
check "root -> user as oci-archive, named on arrival" "$SCPID" "$(P image inspect --format '{{.ID}}' localhost/scptwo:latest)"
check_match_refused "a missing image: refused, named" "nope.nope/nonesuch:notag" \
  "$(Rscp image scp "$U@localhost::nope.nope/nonesuch:notag" 2>&1)"
check_match_refused "another host: refused, named" "^Error: image scp otherhost::: copying to or from another host needs ssh" \
  "$(R image scp localhost/scpme:1 otherhost:: 2>&1)"
check_match_refused "--format is checked as podman's" '^Error: invalid argument "tar" for "--format" flag: "tar" is not a valid value.  Choose from: "oci-archive, docker-archive"' \
  "$(R image scp --format tar localhost/scpme:1 "$U@localhost::" 2>&1)"
check_match_refused "the user cannot reach into root's store" "copying between users needs root" \
  "$(P image scp localhost/scpme:1 root@localhost:: 2>&1)"
R rmi -f localhost/scpme:1 foobar:123 >/dev/null 2>&1
P rmi -f localhost/scpme:1 localhost/scptwo:latest >/dev/null 2>&1

echo "1..$n"
[ "$fails" = 0 ]
