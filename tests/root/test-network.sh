#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root integration tests of networks and published ports: network
# create|ls|inspect|rm|prune|exists|reload, containers on bridges, -p and
# `port`, names through aardvark-dns, IPAM under concurrency, cleanup.
#
# Everything runs inside a network namespace this script makes and deletes
# (re-executing itself there with `ip netns exec`): the host's interfaces
# and ruleset are never touched. Traffic goes over loopback and the test
# namespace's own bridges only; nothing is sent through the masquerade rule.
# Usage: test-network.sh PODUNIT [FAKE-FIREWALLD]   (needs root; prints
# "ok"/"not ok" lines; FAKE-FIREWALLD: tests/root/fake-firewalld.c, built)
set -u
PODUNIT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi
for tool in ip nft curl; do
  command -v $tool >/dev/null || { echo "skip: needs $tool"; exit 77; }
done

. "$HERE/own-netns.sh"
own_netns podunit-test-net "$@"

# Off in this namespace (it is the test's own), so that podunit must turn it on.
echo 0 > /proc/sys/net/ipv4/ip_forward
T=$(mktemp -d /tmp/podunit-test-network.XXXXXX)
cleanup () {
  "$PODUNIT" --root "$T/root" --runroot "$T/run" rm -a -f -t 0 >/dev/null 2>&1
  grep -q "$T" /proc/self/mountinfo && echo "leftover mounts under $T"
  rm -rf "$T"
}
trap cleanup EXIT
P () { "$PODUNIT" --root "$T/root" --runroot "$T/run" "$@"; }

. "$HERE/lib.sh"
# GET URL from this (the test namespace's) host: the body or "failed".
get () { curl -sf --max-time 3 "$1" || echo failed; }
# The same once a server just started listens (tried for up to 5 s).
get_up () {
  for _ in $(seq 25); do curl -sf --max-time 3 "$1" && return; sleep 0.2; done
  echo failed
}
# GET URL from a new container on network $1 (busybox's wget -T crashes).
cget () { P run --rm --network "$1" $IMG sh -c "timeout 5 wget -O- '$2' 2>/dev/null || echo failed"; }
# The same, tried for up to 5 s (the server just started).
cget_up () {
  P run --rm --network "$1" $IMG sh -c \
    "for i in \$(seq 25); do timeout 5 wget -O- '$2' 2>/dev/null && exit; sleep 0.2; done; echo failed"
}
# The veths left once the kernel has torn down the namespaces of
# removed containers (it does so on its own, within moments).
veths_gone () {
  for _ in $(seq 30); do [ -z "$(ip -o link show type veth)" ] && return; sleep 0.1; done
  ip -o link show type veth
}
# The first address in a container's /etc/hosts line for its own name.
ctr_ip () { P exec "$1" sh -c "grep -w '$1\$' /etc/hosts | cut -f1"; }
WEB="echo hello-\$0 > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"

sh "$HERE/../images/make-busybox-oci.sh" "$T/busybox.tar" >/dev/null || { echo "Bail out! image"; exit 1; }
P load -i "$T/busybox.tar" >/dev/null || { echo "Bail out! load"; exit 1; }
IMG=localhost/busybox:latest

# --- network definitions ---
check "ls: the default network" "podunit bridge" "$(P network ls --format '{{.Name}} {{.Driver}}')"
check "create prints the name" "lab" "$(P network create --subnet 10.90.0.0/24 --label app=x lab)"
check "an existing name fails" "125 Error: network name lab already used: network already exists" "$(failing P network create lab)"
check "--ignore of an existing one succeeds" "lab" "$(P network create --ignore lab)"
check "an invalid name fails with 125, naming it" "125 Error: network name bad@name invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument" \
  "$(failing P network create 'bad@name')"
check "an overlapping subnet fails" "125 Error: subnet 10.90.0.128/25 is already used on the host or by another config" "$(failing P network create --subnet 10.90.0.128/25 other)"
check "a driver other than bridge fails" "125 Error: unsupported driver macvlan: podunit has the bridge driver" "$(failing P network create --driver macvlan other)"
check "a failed create leaves nothing" "1 podunit lab" \
  "$(status P network exists other) $(P network ls --format '{{.Name}}' | paste -sd' ')"
INSPECT=$(P network inspect lab)
check "inspect: netavark's schema" "lab bridge podunit1 10.90.0.0/24 10.90.0.1 False True x" \
  "$(printf '%s' "$INSPECT" | python3 -c 'import json,sys; n=json.load(sys.stdin)[0]; s=n["subnets"][0]; print(n["name"], n["driver"], n["network_interface"], s["subnet"], s["gateway"], n["internal"], n["dns_enabled"], n["labels"]["app"])')"
check "the file is under the store" "lab" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["name"])' "$T/root/networks/lab.json")"
P network create --subnet 10.91.0.0/24 --gateway 10.91.0.254 --ip-range 10.91.0.128/26 \
  --internal --disable-dns --interface-name br-int --opt mtu=1400 intern >/dev/null
check "inspect: --gateway --ip-range --internal --disable-dns --interface-name --opt mtu" \
  "10.91.0.254 10.91.0.128 10.91.0.191 True False br-int 1400" \
  "$(P network inspect intern | python3 -c 'import json,sys; n=json.load(sys.stdin)[0]; s=n["subnets"][0]; print(s["gateway"], s["lease_range"]["start_ip"], s["lease_range"]["end_ip"], n["internal"], n["dns_enabled"], n["network_interface"], n["options"]["mtu"])')"
check "a gateway outside the subnet fails" "125 Error: gateway 10.93.0.1 is not a host address of subnet 10.92.0.0/24" "$(failing P network create --subnet 10.92.0.0/24 --gateway 10.93.0.1 x)"
check "no name: the next podunitN and 10.89.N.0/24" "podunit2 10.89.0.0/24" \
  "$(n=$(P network create); echo $n $(P network inspect $n | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["subnets"][0]["subnet"])'))"
check "exists" "0 1" "$(status P network exists lab) $(status P network exists nope)"
check "rm prints the name" "podunit2" "$(P network rm podunit2)"
check "rm of an unknown network fails" "125 Error: unable to find network with name or ID nope: network not found" "$(failing P network rm nope)"
check "the default network cannot be removed" "125 Error: default network podunit cannot be removed" "$(failing P network rm podunit)"
check "run on an unknown network fails" "125 Error: unable to find network with name or ID nope: network not found" "$(failing P run --rm --network nope $IMG true)"

# --- the lab: a web server published on localhost ---
P run -d --name web --network podunit -p 127.0.0.1:18080:8080 $IMG sh -c "$WEB" web >/dev/null
check "curl from the host gets the page" "hello-web" "$(get_up http://127.0.0.1:18080/index.html)"
check "port prints the mapping" "8080/tcp -> 127.0.0.1:18080" "$(P port web)"
check "port CONTAINER PORT" "127.0.0.1:18080" "$(P port web 8080/tcp)"
check "ps shows the ports" "127.0.0.1:18080->8080/tcp" "$(P ps --format '{{.Ports}}')"
WEB_IP=$(ctr_ip web)
check_match "the container has an address on podunit0's subnet" "^10\.88\.0\.[0-9]+$" "$WEB_IP"
check "a second container reaches it through the bridge" "hello-web" "$(cget podunit "http://$WEB_IP:8080/index.html")"
check "/etc/hosts names the host by the gateway" "10.88.0.1" \
  "$(P exec web sh -c "grep host.containers.internal /etc/hosts | cut -f1")"
check "its default route is the bridge" "default via 10.88.0.1 dev eth0" "$(P exec web ip route | grep default | sed 's/ *$//')"
P run -d --name web2 --network podunit -p 18081:8080 $IMG sh -c "$WEB" web2 >/dev/null
check "a port on every address: from the host" "hello-web2" "$(get_up http://127.0.0.1:18081/index.html)"
check "and from a container through the gateway (hairpin)" "hello-web2" "$(cget podunit http://10.88.0.1:18081/index.html)"
check_match "a taken host port fails the start with 126, as podman" "^126 Error: cannot listen on the tcp port 18081: address already in use \(published by container [0-9a-f]{12}\)$" "$(failing P run -d --name web3 --network podunit -p 18081:80 $IMG sleep 9)"
# The container's own setup runs beside the network's (spawn.h): when it
# fails first, its error is the one reported, not the attach's.
check "a failed setup beside the attach is reported as the container's" \
  "126 Error: workdir \"/bin/sh\" does not exist on container" \
  "$(failing P run -d --name badwd --network podunit -p 127.0.0.1:18086:8080 -w /bin/sh $IMG true)"
check "and its port is free again" "hello-web6" \
  "$(P rm -f badwd >/dev/null; P run -d --name web6 --network podunit -p 127.0.0.1:18086:8080 $IMG sh -c "$WEB" web6 >/dev/null && get_up http://127.0.0.1:18086/index.html; P rm -f -t 0 web6 >/dev/null)"
check "the masquerade rule for outbound traffic exists" "1" \
  "$(nft list chain inet podunit postrouting | grep -c 'iifname @masq oifname != @bridges masquerade')"
check "and covers podunit0" "1" "$(nft list set inet podunit masq | grep -c '"podunit0"')"
check "nft lists the ports as written (elements sent over netlink)" "127.0.0.1 . tcp . 18080 : $WEB_IP . 8080|tcp . 18081 : $(ctr_ip web2) . 8080" \
  "$(nft list map inet podunit pf4 | grep -o '127.0.0.1 . tcp . 18080 : [0-9.]* . 8080')|$(nft list map inet podunit pf4any | grep -o 'tcp . 18081 : [0-9.]* . 8080')"
check "forwarding is on in this namespace" "1" "$(cat /proc/sys/net/ipv4/ip_forward)"
check "route_localnet on the bridge" "1" "$(cat /proc/sys/net/ipv4/conf/podunit0/route_localnet)"

# --- reload after the ruleset is flushed ---
nft flush ruleset
check "after nft flush ruleset the port is gone, network reload brings it back" "failed hello-web" \
  "$(get http://127.0.0.1:18080/index.html) $(P network reload && get http://127.0.0.1:18080/index.html)"
check "and the other one" "hello-web2" "$(get http://127.0.0.1:18081/index.html)"
# A start or removal adds or deletes only its own elements (firewall.h);
# finding the table gone, it writes the whole table again.
check "a start adds its elements, not a new table" "1" \
  "$(P run -d --name web4 --network podunit -p 127.0.0.1:18084:8080 $IMG sh -c "$WEB" web4 >/dev/null && nft list ruleset | grep -c 'table inet podunit')"
check "its port answers" "hello-web4" "$(get_up http://127.0.0.1:18084/index.html)"
nft flush ruleset
P rm -f -t 0 web4 >/dev/null
check "a removal after nft flush ruleset rewrites the others' ports, without its own" "hello-web 0" \
  "$(get http://127.0.0.1:18080/index.html) $(nft list ruleset | count_matching 18084)"
nft flush ruleset
P run -d --name web5 --network podunit -p 127.0.0.1:18085:8080 $IMG sh -c "$WEB" web5 >/dev/null
check "a start after nft flush ruleset brings every port back" "hello-web5 hello-web2" \
  "$(get_up http://127.0.0.1:18085/index.html) $(get http://127.0.0.1:18081/index.html)"
P rm -f -t 0 web5 >/dev/null

# --- removal is exact ---
check "after rm the port is closed" "hello-web failed" \
  "$(get http://127.0.0.1:18080/index.html) $(P rm -f -t 0 web >/dev/null && get http://127.0.0.1:18080/index.html)"
check "its DNAT entry is gone, the other stays" "0 1" \
  "$(nft list ruleset | count_matching 18080) $(nft list ruleset | grep -c 18081)"
P rm -f -t 0 web2 >/dev/null
check "after the last rm: no lease, no element in table inet podunit, no veth" "" \
  "$(ls "$T/run/networks/attach" && nft_elements && veths_gone)"
check "the table and its rules stay for the next start" "1" \
  "$(nft list chain inet podunit postrouting | grep -c 'iifname @masq oifname != @bridges masquerade')"
# A start's veth pairs are made after the networks lock is released
# (attach.c); one that fails there (its network's interface is a veth, no
# bridge) takes its lease and elements back.
ip link add pt-notbr type veth peer name pt-peer
P network create --subnet 10.97.0.0/24 --interface-name pt-notbr notbr >/dev/null
check "a start whose veth pair cannot be made fails, naming it" \
  "126 Error: creating veth pair veth*/eth0: Operation not supported" \
  "$(failing P run -d --name nb --network notbr -p 127.0.0.1:18097:8080 $IMG true | sed 's/veth[0-9a-f]\{8\}/veth*/')"
check "and leaves no lease, element or veth" "" \
  "$(ls "$T/run/networks/attach" && nft_elements && ip link del pt-notbr && veths_gone)"
P rm -f nb >/dev/null; P network rm notbr >/dev/null

# --- port forms ---
P create --name pf --network podunit -p 127.0.0.1:80:90 -p :81:92 -p 82:96 -p 97 \
  -p 8000-8002:9000-9002 -p 53:53/udp -p 84:84/tcp,udp $IMG true >/dev/null
PORTS=$(P port pf)
check "127.0.0.1:80:90" "1" "$(grep -cx '90/tcp -> 127.0.0.1:80' <<<"$PORTS")"
check ":81:92" "1" "$(grep -cx '92/tcp -> 0.0.0.0:81' <<<"$PORTS")"
check "82:96" "1" "$(grep -cx '96/tcp -> 0.0.0.0:82' <<<"$PORTS")"
check_match "97: a free host port" "^97/tcp -> 0\.0\.0\.0:[0-9]+$" "$(grep '^97/' <<<"$PORTS")"
check "a range" "9000/tcp -> 0.0.0.0:8000|9001/tcp -> 0.0.0.0:8001|9002/tcp -> 0.0.0.0:8002" \
  "$(grep '^900' <<<"$PORTS" | tr '\n' '|' | sed 's/|$//')"
check "/udp" "1" "$(grep -cx '53/udp -> 0.0.0.0:53' <<<"$PORTS")"
check "/tcp,udp" "84/tcp -> 0.0.0.0:84|84/udp -> 0.0.0.0:84" "$(grep '^84/' <<<"$PORTS" | tr '\n' '|' | sed 's/|$//')"
check "a bad protocol is refused" "125 Error: invalid port mapping 80/icmp: the protocol must be tcp, udp or sctp" "$(failing P create --network podunit -p 80/icmp $IMG true)"
check "ranges of different length are refused" "125 Error: invalid port mapping 80-81:90-92: the host and container port ranges differ in length" "$(failing P create --network podunit -p 80-81:90-92 $IMG true)"
check "-p without a bridge network is refused" "125 Error: -p/--publish needs a bridge network or pasta (--network private has none)" "$(failing P create --network private -p 80 $IMG true)"
P rm pf >/dev/null

# --- -P: the image's EXPOSE and --expose on free host ports ---
sh "$HERE/../images/make-busybox-oci.sh" "$T/exposed.tar" --name localhost/exposed:latest \
  --expose 8080/tcp --expose 53/udp >/dev/null
P load -i "$T/exposed.tar" >/dev/null
P run -d --name exp --network podunit -P --expose 9090 localhost/exposed:latest sh -c "$WEB" exp >/dev/null
PORTS=$(P port exp)
check_match "-P: the image's EXPOSE 8080/tcp on a free host port" "^8080/tcp -> 0\.0\.0\.0:[0-9]+$" "$(grep '^8080/' <<<"$PORTS")"
check_match "and its 53/udp" "^53/udp -> 0\.0\.0\.0:[0-9]+$" "$(grep '^53/' <<<"$PORTS")"
check_match "and --expose 9090" "^9090/tcp -> 0\.0\.0\.0:[0-9]+$" "$(grep '^9090/' <<<"$PORTS")"
check "the page through the port -P picked" "hello-exp" "$(get_up "http://127.0.0.1:$(P port exp 8080/tcp | sed 's/.*://')/index.html")"
P rm -f -t 0 exp >/dev/null
check "-p wins over -P for the same port" "8080/tcp -> 127.0.0.1:18098" \
  "$(P create --name exp2 --network podunit -P -p 127.0.0.1:18098:8080 localhost/exposed:latest true >/dev/null; P port exp2 | grep '^8080/')"
check "without -P, EXPOSE publishes nothing" "exp3 " \
  "$(P create --name exp3 --network podunit localhost/exposed:latest true >/dev/null &&
     P ps -a --filter name=exp3 --format '{{.Names}} {{.Ports}}' && P port exp3)"
P rm exp2 exp3 >/dev/null

# --- static address, MAC, internal networks ---
P run -d --name st --network lab --ip 10.90.0.77 --mac-address 02:11:22:33:44:55 $IMG sleep 60 >/dev/null
check "--ip" "10.90.0.77" "$(ctr_ip st)"
check "--mac-address" "02:11:22:33:44:55" "$(P exec st cat /sys/class/net/eth0/address)"
check "a taken --ip is refused" "126 Error: IPAM error: requested ip address 10.90.0.77 is already allocated to another container on network lab" "$(failing P run --rm --network lab --ip 10.90.0.77 $IMG true)"
check "the gateway cannot be asked for" "126 Error: --ip 10.90.0.1 is not a free host address of network lab (10.90.0.0/24)" "$(failing P run --rm --network lab --ip 10.90.0.1 $IMG true)"
P rm -f -t 0 st >/dev/null
P run -d --name in1 --network intern $IMG sleep 60 >/dev/null
check_match "--ip-range: the address is from the range" "^10\.91\.0\.(12[89]|1[3-8][0-9]|19[01])$" "$(ctr_ip in1)"
check "internal: a route to the subnet, no default route" "1 0" \
  "$(P exec in1 ip route | count_matching '^10\.91\.0\.0/24 dev eth0') $(P exec in1 ip route | count_matching default)"
check "internal: the bridge is in the internal set" "1" "$(nft list set inet podunit internal | grep -c br-int)"
check "--opt mtu" "1400" "$(P exec in1 cat /sys/class/net/eth0/mtu)"
P rm -f -t 0 in1 >/dev/null

# --- isolation: between networks, and --internal ones ---
P run -d --name iso-lab --network lab $IMG sh -c "$WEB" iso-lab >/dev/null
P run -d --name iso-int --network intern $IMG sh -c "$WEB" iso-int >/dev/null
LAB_IP=$(ctr_ip iso-lab) INT_IP=$(ctr_ip iso-int)
check "a container reaches another on its network" "hello-iso-lab" "$(cget_up lab "http://$LAB_IP:8080/index.html")"
check "an internal one reaches another on its network" "hello-iso-int" "$(cget_up intern "http://$INT_IP:8080/index.html")"
check "a container on another network does not reach it" "failed" "$(cget podunit "http://$LAB_IP:8080/index.html")"
check "nor does one on the internal network" "failed" "$(cget intern "http://$LAB_IP:8080/index.html")"
check "nothing reaches into the internal network from another" "failed" "$(cget lab "http://$INT_IP:8080/index.html")"
check "the forward chain drops both directions of internal bridges" "2" \
  "$(nft list chain inet podunit forward | grep -cE '(iifname|oifname) @internal drop')"

# --- network connect / disconnect ---
P run -d --name cli --network podunit -p 127.0.0.1:18096:8080 $IMG sh -c "$WEB" cli >/dev/null
check "before connect: lab is not reachable" "failed" \
  "$(P exec cli sh -c "timeout 3 wget -O- http://$LAB_IP:8080/index.html 2>/dev/null || echo failed")"
check "connect prints nothing, adds eth1" "|eth0 eth1 lo" \
  "$(P network connect lab cli)|$(P exec cli ls /sys/class/net | paste -sd' ')"
check_match "the running container has eth1 on lab" "inet 10\.90\.0\.[0-9]+/24" "$(P exec cli ip -4 -o addr show eth1)"
check "and reaches the server on lab" "hello-iso-lab" \
  "$(P exec cli sh -c "timeout 5 wget -O- http://$LAB_IP:8080/index.html 2>/dev/null || echo failed")"
check "connecting twice fails with 125" \
  "125 Error: container cli is already connected to network lab: network is already connected" "$(failing P network connect lab cli)"
check "an unknown network fails with 125" \
  "125 Error: unable to find network with name or ID nope: network not found" "$(failing P network connect nope cli)"
check "the lease is recorded" "1" "$(grep -c '^\[network lab\]' "$T/run/networks/attach/$(P inspect --format '{{.Id}}' cli)")"
P network disconnect podunit cli
check "disconnecting the first network: eth0 is gone" "eth1 lo" "$(P exec cli ls /sys/class/net | tr '\n' ' ' | sed 's/ $//')"
check "its published port follows to lab" "hello-cli" "$(get http://127.0.0.1:18096/index.html)"
check "after the last disconnect only lo is left, and the port is closed" "lo|failed" \
  "$(P network disconnect lab cli && P exec cli ls /sys/class/net | paste -sd' ')|$(get http://127.0.0.1:18096/index.html)"
check "disconnecting a network it is not on fails with 125" \
  "125 Error: container cli is not on bridge networks (--network none)" "$(failing P network disconnect lab cli)"
P rm -f -t 0 cli iso-lab iso-int >/dev/null
P create --name later --network podunit $IMG sleep 60 >/dev/null
check "--ip for a stopped container is refused (125)" \
  "125 Error: --ip, --ip6, --mac-address and --alias of network connect need a running container (later is not)" "$(failing P network connect --ip 10.90.0.88 lab later)"
P network connect lab later
P start later >/dev/null
check_match "a stopped container gets the network at its start" "inet 10\.90\.0\.[0-9]+/24" \
  "$(P exec later ip -4 -o addr show eth1)"
P rm -f -t 0 later >/dev/null

# --- names on a named network (aardvark-dns) ---
dns_server () { for f in /usr/libexec/podman/aardvark-dns /usr/lib/podman/aardvark-dns; do [ -x $f ] && echo $f && return; done; }
if [ -n "$(dns_server)" ]; then
  P run -d --name server --network lab --network-alias www $IMG sh -c "$WEB" server >/dev/null
  check "a container reaches another by name" "hello-server" "$(cget_up lab http://server:8080/index.html)"
  check "and by alias" "hello-server" "$(cget lab http://www.dns.podman:8080/index.html)"
  check "resolv.conf asks the gateway first" "nameserver 10.90.0.1" \
    "$(P exec server grep nameserver /etc/resolv.conf | head -1)"
  P rm -f -t 0 server >/dev/null
  check "after rm no DNS files are left" "" "$(ls "$T/run/networks/aardvark-dns" | sed '/^aardvark.pid$/d')"

  # Under systemd aardvark-dns gets a scope of its own (`systemd-run -q
  # --scope`, as netavark starts it), so stopping the unit whose container
  # attached first does not end DNS for the network; where systemd-run
  # fails it starts plainly. A stand-in systemd-run, in a mount namespace
  # whose /run/systemd/system exists.
  mkdir -p "$T/sdbin"
  printf '%s\n' '#!/bin/sh' 'echo "$*" >>"$SDLOG"' '[ -e "$SDLOG.fail" ] && exit 1' \
    '[ "$1 $2" = "-q --scope" ] || exit 2' 'shift 2' 'exec "$@"' >"$T/sdbin/systemd-run"
  chmod +x "$T/sdbin/systemd-run"
  under_systemd () {
    SDLOG=$T/systemd-run.log unshare --mount --propagation private sh -c \
      'mount -t tmpfs sd /run/systemd && mkdir /run/systemd/system && PATH=$0:$PATH exec "$@"' \
      "$T/sdbin" "$PODUNIT" --root "$T/root" --runroot "$T/run" "$@"
  }
  under_systemd run -d --name server --network lab $IMG sh -c "$WEB" server >/dev/null
  check "under systemd: aardvark-dns starts in a scope of its own" \
    "-q --scope $(dns_server) --config $T/run/networks/aardvark-dns -p 53 run" "$(cat "$T/systemd-run.log")"
  check "... and answers" "hello-server" "$(cget_up lab http://server:8080/index.html)"
  P rm -f -t 0 server >/dev/null
  touch "$T/systemd-run.log.fail"
  under_systemd run -d --name server --network lab $IMG sh -c "$WEB" server >/dev/null
  check "where systemd-run fails, aardvark-dns starts plainly" "hello-server" \
    "$(cget_up lab http://server:8080/index.html)"
  P rm -f -t 0 server >/dev/null
else
  echo "ok - # skip names: aardvark-dns is not installed"
fi

# --- 20 containers started at once get distinct addresses ---
for i in $(seq 1 20); do
  P run -d --name c$i --network lab $IMG sleep 120 >/dev/null 2>"$T/c$i.err" &
done
wait
started=0
for i in $(seq 1 20); do [ "$(P inspect --format '{{.State.Status}}' c$i 2>/dev/null)" = running ] && started=$((started + 1)); done
check "20 concurrent starts all succeed" "20" "$started"
ADDRS=$(for i in $(seq 1 20); do ctr_ip c$i; done | sort -u)
check "20 distinct addresses, none the network, gateway or broadcast" "20 0" \
  "$(count_matching '^10\.90\.0\.' <<<"$ADDRS") $(count_matching '^10\.90\.0\.(0|1|255)$' <<<"$ADDRS")"
check "20 leases" "20" "$(ls "$T/run/networks/attach" | wc -l)"
P rm -f -t 0 $(seq -f c%g 1 20) >/dev/null
check "all leases are released" "" "$(ls "$T/run/networks/attach")"

# --- a SIGKILLed container leaks nothing the next command keeps ---
P run -d --name k --network podunit -p 127.0.0.1:18090:8080 $IMG sh -c "$WEB" k >/dev/null
read -r SUP PID < <(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["supervisor_pid"], s["pid"])' \
  "$T/run/containers/$(P inspect --format '{{.Id}}' k)/state.json")
kill -9 "$SUP" "$PID"
# Gone (or a zombie, which counts as gone) once the kernel has torn it down.
for _ in $(seq 50); do
  grep -qs '^State:[[:space:]]*[^Z]' /proc/$PID/status || break
  sleep 0.1
done
P network reload >/dev/null
check "the next command reclaims the lease and the elements; the veth went with the namespace" "" \
  "$(ls "$T/run/networks/attach" && nft_elements && veths_gone)"
P rm -f k >/dev/null 2>&1

# --- firewalld (a stand-in on a private system bus): the subnets in use
# are sources of its trusted zone, as netavark puts podman's there ---
FAKE_FW=${2:-}
if [ -n "$FAKE_FW" ] && command -v dbus-daemon >/dev/null && command -v busctl >/dev/null; then
  # a bus of the session kind (its policy lets anyone own a name) as the system bus
  dbus-daemon --session --address="unix:path=$T/bus" --fork --print-pid > "$T/bus.pid"
  export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/bus
  "$FAKE_FW" 2>> "$T/fw.log" &
  FW_PID=$!
  fw () { busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" call org.fedoraproject.FirewallD1 \
            /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1.zone "$@"; }
  for _ in $(seq 50); do fw getSources s trusted >/dev/null 2>&1 && break; sleep 0.1; done
  fw addSource ss trusted 192.0.2.0/24 >/dev/null # the administrator's
  P run -d --name fw1 --network lab $IMG sleep 60 >/dev/null
  check "firewalld: the first container on a network puts its subnet in the trusted zone" \
    'as 2 "192.0.2.0/24" "10.90.0.0/24"' "$(fw getSources s trusted)"
  P run -d --name fw2 --network lab $IMG sleep 60 >/dev/null
  P rm -f -t 0 fw1 >/dev/null
  check "firewalld: it stays while a container uses the network" \
    'as 2 "192.0.2.0/24" "10.90.0.0/24"' "$(fw getSources s trusted)"
  fw removeSource ss trusted 10.90.0.0/24 >/dev/null # as a firewalld reload does
  check "firewalld: network reload puts it back" 'as 2 "192.0.2.0/24" "10.90.0.0/24"' \
    "$(P network reload >/dev/null && fw getSources s trusted)"
  # network reload --watch-firewalld (podunit-firewalld-reload.service):
  # after a reload, which drops every runtime source and then says
  # Reloaded, and after firewalld's restart
  fw_has () { local i; for i in $(seq 50); do fw getSources s trusted 2>/dev/null | grep -qF "$1" && return 0; sleep 0.1; done; return 1; }
  fw removeSource ss trusted 10.90.0.0/24 >/dev/null
  "$PODUNIT" --root "$T/root" --runroot "$T/run" network reload --watch-firewalld &
  W_PID=$!
  check "firewalld: the watcher puts the subnet back when it starts" 'as 2 "192.0.2.0/24" "10.90.0.0/24"' \
    "$(fw_has 10.90.0.0/24; fw getSources s trusted)"
  busctl --address="$DBUS_SYSTEM_BUS_ADDRESS" call org.fedoraproject.FirewallD1 \
    /org/fedoraproject/FirewallD1 org.fedoraproject.FirewallD1 reload
  check "firewalld: after a firewalld reload the watcher puts the subnet back" 'as 1 "10.90.0.0/24"' \
    "$(fw_has 10.90.0.0/24; fw getSources s trusted)"
  kill "$FW_PID"; wait "$FW_PID" 2>/dev/null
  "$FAKE_FW" 2>> "$T/fw.log" &
  FW_PID=$!
  check "firewalld: after a firewalld restart the watcher puts it back" 'as 1 "10.90.0.0/24"' \
    "$(fw_has 10.90.0.0/24; fw getSources s trusted)"
  check "firewalld: the watcher still runs" "" "$(kill -0 $W_PID)"
  kill "$W_PID"; wait "$W_PID" 2>/dev/null
  fw addSource ss trusted 192.0.2.0/24 >/dev/null # the administrator's, for the next checks
  P rm -f -t 0 fw2 >/dev/null
  check "firewalld: the last container's removal takes it out, the administrator's stays" \
    'as 1 "192.0.2.0/24"' "$(fw getSources s trusted)"
  P run -d --name fw3 --network lab $IMG sleep 60 >/dev/null
  kill -9 "$(P inspect --format '{{.State.Pid}}' fw3)"
  P rm -f -t 0 fw3 >/dev/null
  check "firewalld: after a killed container the subnet is gone too" \
    'as 1 "192.0.2.0/24"' "$(fw getSources s trusted)"
  # firewalld logs an ERROR for each source removed that it does not hold
  # (a whole write removes the subnet of every unused network) or added
  # that it has (a subnet comes once per container)
  check "firewalld: podunit asked nothing firewalld refuses" "" "$(cat "$T/fw.log")"
  kill "$FW_PID" "$(cat "$T/bus.pid")"
  unset DBUS_SYSTEM_BUS_ADDRESS
else
  echo "# skipped: firewalld's trusted zone (needs dbus-daemon, busctl and the stand-in)"
fi

P run -d --name u --stop-timeout 1 --network lab $IMG sleep 60 >/dev/null
check "network rm of a used network fails" \
  "125 Error: \"lab\" has associated containers with it. Use -f to forcibly delete containers and pods: network is being used" "$(failing P network rm lab)"
check "network rm -f removes its containers" "lab" "$(P network rm -f lab 2>/dev/null)"
check "prune removes unused networks" "intern" "$(P network prune -f)"

echo "1..$n"
[ "$fails" = 0 ]
