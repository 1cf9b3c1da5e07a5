#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root integration tests of pulling from registries: Debian's
# docker-registry (distribution 2.8) started here on 127.0.0.1, once plain
# HTTP, once TLS with a CA made here (trusted through certs.d), once TLS
# with htpasswd basic auth, once with token auth (token-server.py); images put there with skopeo from the test
# busybox archives; then a misbehaving server (registry-misbehave.py) for
# bad input, where every pull must fail with one clear error and leave the
# store as it was; then pushes: the round trip pull, run, commit, push,
# rmi, pull back, diff, with credentials and the refusals.
# Usage: test-registry.sh PODUNIT   (needs root; prints "ok"/"not ok" lines)
set -u
PODUNIT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi
for t in docker-registry skopeo htpasswd openssl curl; do
  command -v $t >/dev/null || { echo "skip: $t is not installed (tools/deps.sh)"; exit 77; }
done

T=$(mktemp -d /tmp/podunit-test-registry.XXXXXX)
PIDS=() CERTSD=()
ALIAS_CACHE=/var/cache/containers/short-name-aliases.conf
cleanup () {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  # The system's alias cache as it was (the prompt test writes it).
  if [ -e "$T/alias-cache.saved" ]; then mv -f "$T/alias-cache.saved" "$ALIAS_CACHE"
  elif [ -e "$T/alias-cache.none" ]; then rm -f "$ALIAS_CACHE"; fi
  for d in "${CERTSD[@]}"; do rm -rf "$d"; done
  "$PODUNIT" --root "$T/root" --runroot "$T/run" rm -a -f >/dev/null 2>&1
  rm -rf "$T"
}
trap cleanup EXIT
P () { "$PODUNIT" --root "$T/root" --runroot "$T/run" "$@"; }
. "$HERE/lib.sh"
# The host's registries.conf (and its drop-ins) must not steer the tests.
: > "$T/empty.conf"
export CONTAINERS_REGISTRIES_CONF=$T/empty.conf
# Every container and image gone.
rmi_all () { P rm -a -f >/dev/null 2>&1; P rmi -a -f >/dev/null 2>&1; }
# The store's files with sizes: equal before and after a failed pull.
store_state () { (cd "$T/root" && find . -path ./tmp -prune -o -printf '%p %s\n' | LC_ALL=C sort | md5sum); }
sh "$HERE/../images/make-busybox-oci.sh" "$T/busybox.tar" >/dev/null || { echo "Bail out! image"; exit 1; }
sh "$HERE/../images/make-busybox-oci.sh" "$T/two.tar" oci --two-layer --zstd >/dev/null \
  || { echo "Bail out! image"; exit 1; }

# --- plain HTTP ---
start_registry plain ""
R=127.0.0.1:$PORT
skopeo copy -q --dest-tls-verify=false "oci-archive:$T/busybox.tar" "docker://$R/test/busybox:1" \
  || { echo "Bail out! skopeo copy"; exit 1; }
skopeo copy -q --dest-tls-verify=false "oci-archive:$T/two.tar" "docker://$R/test/two:latest" \
  || { echo "Bail out! skopeo copy"; exit 1; }

ID=$(P pull --tls-verify=false "$R/test/busybox:1" 2>"$T/err")
check_match "pull by tag: the image id alone on stdout" '^[0-9a-f]{64}$' "$ID"
# Later checks compare with $ID: an empty one would match a silent failure.
[ -n "$ID" ] || { echo "Bail out! the first pull printed no image id"; exit 1; }
check_match "progress on stderr: Copying blob" "^Copying blob sha256:[0-9a-f]{64}$" "$(grep '^Copying blob' "$T/err")"
check "progress ends with podman's line" "Writing manifest to image destination" "$(tail -n1 "$T/err")"
check "the pulled image is named as pulled" "$R/test/busybox:1" "$(P images --format '{{.Repository}}:{{.Tag}}' | grep test/busybox)"
check "it runs" "hi" "$(P run --rm "$R/test/busybox:1" echo hi 2>&1)"
check "pulling it again skips the stored layer" "1" \
  "$(P pull --tls-verify=false "$R/test/busybox:1" 2>&1 >/dev/null | grep -c 'skipped: already exists')"
check "-q: only the id" "$ID|" "$(P pull -q --tls-verify=false "$R/test/busybox:1" 2>&1 | tr '\n' '|')"
DIGEST=$(curl -s -o /dev/null -D - -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
  "http://$R/v2/test/busybox/manifests/1" | tr -d '\r' | sed -n 's/^Docker-Content-Digest: //Ip')
P rmi -f "$R/test/busybox:1" >/dev/null 2>&1
check "pull by digest" "$ID" "$(P pull -q --tls-verify=false "$R/test/busybox@$DIGEST")"
check "pulled by digest only: images lists the repository, tag <none> (podman)" "$R/test/busybox <none>" \
  "$(P images --format '{{.Repository}} {{.Tag}}' | grep test/busybox)"
check "docker:// prefix and image pull (Quadlet's .image units)" "$ID" \
  "$(P image pull -q --tls-verify=false "docker://$R/test/busybox:1")"
# podman keeps the digested name among the image's names; not a tag
check "then tagged: one row in images" "$R/test/busybox:1" \
  "$(P images --format '{{.Repository}}:{{.Tag}}' | grep test/busybox)"
check "RepoDigests names the digest once" "[$R/test/busybox@$DIGEST]" \
  "$(P image inspect --format '{{.RepoDigests}}' "$R/test/busybox:1")"
check "rmi NAME@DIGEST of a tagged image removes only that name" "Untagged: $R/test/busybox@$DIGEST" \
  "$(P rmi "$R/test/busybox@$DIGEST" 2>&1)"
check "... the image stays" "0" "$(status P image exists "$R/test/busybox:1")"
P pull -q --tls-verify=false "$R/test/busybox:1@$DIGEST" >/dev/null
check "untag of NAME:TAG@DIGEST: the digested name (the tag dropped, as podman)" "0" \
  "$(status P untag "$R/test/busybox:1" "$R/test/busybox:1@$DIGEST")"
check_refused "... which is then gone" "Error: $R/test/busybox:1@$DIGEST: tag not known" \
  "$(P untag "$R/test/busybox:1" "$R/test/busybox:1@$DIGEST" 2>&1)"
check "... and the tag stays" "0" "$(status P image exists "$R/test/busybox:1")"

TWO=$(P pull -q --tls-verify=false "$R/test/two")

check_match "two layers, zstd: pulled (:latest implied)" '^[0-9a-f]{64}$' "$TWO"
[ -n "$TWO" ] || { echo "Bail out! the pull of test/two printed no image id"; exit 1; }
# --- auto-update: registry and local policies, units from PODMAN_SYSTEMD_UNIT ---
skopeo copy -q --dest-tls-verify=false "oci-archive:$T/busybox.tar" "docker://$R/test/zauto:1" \
  || { echo "Bail out! skopeo copy"; exit 1; }
P pull -q --tls-verify=false "$R/test/zauto:1" >/dev/null
P tag "$R/test/zauto:1" localhost/loc:1
AU=$(P run -d --name au --label io.containers.autoupdate=registry --label PODMAN_SYSTEMD_UNIT=au.service "$R/test/zauto:1" sleep 300)
P run -d --name loc --label io.containers.autoupdate=local --label PODMAN_SYSTEMD_UNIT=loc.service localhost/loc:1 sleep 300 >/dev/null
P run -d --name off "$R/test/zauto:1" sleep 300 >/dev/null
AUF='{{.Unit}} {{.Policy}} {{.Updated}}'
check "auto-update --dry-run: nothing newer, only the labelled running containers" \
  "au.service registry false|loc.service local false|" \
  "$(P auto-update --dry-run --tls-verify=false --format "$AUF" | LC_ALL=C sort | tr '\n' '|')"
skopeo copy -q --dest-tls-verify=false "oci-archive:$T/two.tar" "docker://$R/test/zauto:1" \
  || { echo "Bail out! skopeo copy"; exit 1; }
check "the tag moved on the registry: pending" "au.service registry pending" \
  "$(P auto-update --dry-run --tls-verify=false --format "$AUF" | grep au.service)"
check "podman's table: UNIT CONTAINER IMAGE POLICY UPDATED, the container as ID (name)" \
  "UNIT CONTAINER IMAGE POLICY UPDATED|au.service ${AU:0:12} (au) $R/test/zauto:1 registry pending|" \
  "$(P auto-update --dry-run --tls-verify=false | grep -v loc.service | tr -s ' ' | tr '\n' '|')"
P tag "$TWO" localhost/loc:1
check "local: the name now points to another image: pending" "loc.service local pending" \
  "$(P auto-update --dry-run --tls-verify=false --format "$AUF" | grep loc.service)"
check "--format json: podman's fields" "ContainerID Image Policy Unit Updated|$AU pending" \
  "$(P auto-update --dry-run --tls-verify=false --format json | jq -r '.[] | select(.Unit == "au.service") | (keys - ["Container","ContainerName"] | join(" ")) + "|" + .ContainerID + " " + .Updated')"
# Without --dry-run the new image is pulled and the unit restarted through
# systemd's bus; none here (a socket that does not exist): failed, named.
check_match_refused "an update without systemd: pulled, the restart fails naming the unit" \
  "au.service registry failed.*Error: updating container $AU: restarting unit au.service: connecting to systemd.s bus: " \
  "$(DBUS_SYSTEM_BUS_ADDRESS=unix:path=$T/no-bus P auto-update --tls-verify=false --format "$AUF" 2>&1 | grep -v loc.service | tr '\n' ' ')"
check "... the new image is the name's now" "$TWO" "$(P image inspect --format '{{.ID}}' "$R/test/zauto:1")"
check_refused "--authfile that does not exist: podman's error" \
  "Error: credential file is not accessible: faccessat $T/bogus: no such file or directory" \
  "$(P auto-update --authfile="$T/bogus" 2>&1)"
P run -d --name nounit --label io.containers.autoupdate=registry "$R/test/zauto:1" sleep 300 >/dev/null
check_match_refused "a labelled container without its unit: named" \
  "Error: auto-updating container \"[0-9a-f]{64}\": no PODMAN_SYSTEMD_UNIT label found" \
  "$(P auto-update --dry-run --tls-verify=false 2>&1)"
P rm -f -t 0 au loc off nounit >/dev/null
P rmi -f localhost/loc:1 "$R/test/zauto:1" >/dev/null 2>&1

check "the upper layer's whiteout hides /data/gone" "absent" \
  "$(P run --rm "$R/test/two" sh -c 'test -e /data/gone && echo present || echo absent' 2>&1)"

# An index with two platforms (the same manifest twice): podman's choice.
MSIZE=$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$R/v2/test/busybox/manifests/1" | wc -c)
cat > "$T/index.json" <<EOT
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
 {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$DIGEST","size":$MSIZE,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
 {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"$DIGEST","size":$MSIZE,"platform":{"architecture":"amd64","os":"linux"}}]}
EOT
skopeo copy -q --dest-tls-verify=false "oci-archive:$T/busybox.tar" "docker://$R/test/multi:single" \
  || { echo "Bail out! skopeo copy"; exit 1; }
curl -sf -o /dev/null -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' \
  --data-binary "@$T/index.json" "http://$R/v2/test/multi/manifests/latest" \
  || { echo "Bail out! index upload"; exit 1; }
check "index: this machine's platform is picked" "$ID" "$(P pull -q --tls-verify=false "$R/test/multi")"
check "index: --platform picks another" "$ID" "$(P pull -q --tls-verify=false --platform linux/arm64/v8 "$R/test/multi")"
BEFORE=$(store_state)
check_refused "index: no match names what the index has" \
  "Error: initializing source docker://$R/test/multi:latest: choosing an image from manifest list docker://$R/test/multi:latest: no image found in manifest list for architecture \"s390x\", variant \"\", OS \"linux\" (it has: linux/arm64/v8, linux/amd64)" \
  "$(P pull -q --tls-verify=false --arch s390x "$R/test/multi" 2>&1)"
check_match "unknown tag: 125, manifest unknown" "^125 Error: .*test/busybox:nope: manifest unknown \(HTTP 404\)" \
  "$(failing P pull -q --tls-verify=false "$R/test/busybox:nope")"
check_match_refused "TLS required by default: a clear TLS error, no retries" "^Error: .*ping from $R: TLS: .*--tls-verify=false" \
  "$(P pull -q "$R/test/busybox:1" 2>&1)"
check "bad name: 125 and why" "125 Error: invalid image name '$R/Test/BusyBox': the repository must be lowercase letters, digits, '.', '_', '-' and '/'" \
  "$(failing P pull "$R/Test/BusyBox")"
check_refused "a short name, no alias, no search registries: podman's error" \
  "Error: short-name \"busybox\" did not resolve to an alias and no unqualified-search registries are defined in \"$T/empty.conf\"" \
  "$(P pull busybox 2>&1)"
check "failed pulls left the store unchanged" "$BEFORE" "$(store_state)"

# --- TLS, with a CA made here, trusted through certs.d ---
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=podunit-test-ca \
  -keyout "$T/ca.key" -out "$T/ca.crt" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -keyout "$T/srv.key" -out "$T/srv.csr" >/dev/null 2>&1
printf 'subjectAltName=IP:127.0.0.1\n' > "$T/ext"
openssl x509 -req -in "$T/srv.csr" -CA "$T/ca.crt" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
  -extfile "$T/ext" -out "$T/srv.crt" >/dev/null 2>&1
start_registry tls "  tls:
    certificate: $T/srv.crt
    key: $T/srv.key"
RT=127.0.0.1:$PORT
skopeo copy -q --dest-cert-dir "$T/nocerts" --dest-tls-verify=false "oci-archive:$T/busybox.tar" \
  "docker://$RT/tls/busybox:1" || { echo "Bail out! skopeo copy (tls)"; exit 1; }
check_match_refused "TLS: an unknown CA is a clear error" "TLS: .*certs.d/$RT/ca.crt" "$(P pull -q "$RT/tls/busybox:1" 2>&1)"
mkdir -p "/etc/containers/certs.d/$RT" && CERTSD+=("/etc/containers/certs.d/$RT")
cp "$T/ca.crt" "/etc/containers/certs.d/$RT/ca.crt"
check "TLS: the CA in certs.d/HOST:PORT is trusted" "$ID" "$(P pull -q "$RT/tls/busybox:1" 2>&1)"
rmi_all
check_refused "run --pull=never of an absent image" "Error: $RT/tls/busybox:1: image not known" \
  "$(P run --rm --pull=never "$RT/tls/busybox:1" true 2>&1)"
check "run of an absent image pulls it (policy missing), then runs" "pulled-and-ran" \
  "$(P run --rm "$RT/tls/busybox:1" echo pulled-and-ran 2> "$T/err")"
check "its pull progress went to stderr" "1" "$(grep -c '^Writing manifest to image destination$' "$T/err")"
check "create --pull=always pulls again" "1" \
  "$(P create --pull=always "$RT/tls/busybox:1" true 2>&1 >/dev/null | grep -c '^Trying to pull')"
rm -rf "/etc/containers/certs.d/$RT"
mkdir -p "$T/certdir" && cp "$T/ca.crt" "$T/certdir/"
check "TLS: --cert-dir" "$ID" "$(P pull -q --cert-dir "$T/certdir" "$RT/tls/busybox:1" 2>&1)"

# --- htpasswd basic auth (over TLS) ---
htpasswd -Bbn tester s3cret > "$T/htpasswd"
start_registry auth "  tls:
    certificate: $T/srv.crt
    key: $T/srv.key
auth:
  htpasswd:
    realm: podunit-test
    path: $T/htpasswd"
RA=127.0.0.1:$PORT
skopeo copy -q --dest-creds tester:s3cret --dest-tls-verify=false "oci-archive:$T/busybox.tar" \
  "docker://$RA/priv/busybox:1" || { echo "Bail out! skopeo copy (auth)"; exit 1; }
mkdir -p "$T/certdir-auth" && cp "$T/ca.crt" "$T/certdir-auth/"
export REGISTRY_AUTH_FILE=$T/none.json
check_match_refused "auth: no credentials is one clear error" \
  "^Error: .*authentication required \(HTTP 401\) and no credentials are stored for $RA: use podunit login" \
  "$(P pull -q --cert-dir "$T/certdir-auth" "$RA/priv/busybox:1" 2>&1)"
check_match_refused "auth: a wrong password" "as tester: invalid username/password" \
  "$(P pull -q --cert-dir "$T/certdir-auth" --creds tester:wrong "$RA/priv/busybox:1" 2>&1)"
check "auth: --creds" "$ID" "$(P pull -q --cert-dir "$T/certdir-auth" --creds tester:s3cret "$RA/priv/busybox:1" 2>&1)"
printf '{"auths":{"%s/priv":{"auth":"%s"}}}\n' "$RA" "$(printf tester:s3cret | base64)" > "$T/auth.json"
check "auth: --authfile, key matched by namespace" "$ID" \
  "$(P pull -q --cert-dir "$T/certdir-auth" --authfile "$T/auth.json" "$RA/priv/busybox:1" 2>&1)"
check "auth: REGISTRY_AUTH_FILE" "$ID" \
  "$(REGISTRY_AUTH_FILE=$T/auth.json P pull -q --cert-dir "$T/certdir-auth" "$RA/priv/busybox:1" 2>&1)"
printf '{"auths":{},"credHelpers":{"%s":"secretservice"}}\n' "$RA" > "$T/helper.json"
check_match_refused "auth: a credential helper is named as unsupported" 'credential helper "secretservice" for .* is not supported' \
  "$(P pull -q --cert-dir "$T/certdir-auth" --authfile "$T/helper.json" "$RA/priv/busybox:1" 2>&1)"
check_refused "login: a wrong password is refused, nothing written" \
  "Error: authenticating to $RA as tester: invalid username/password (HTTP 401)" \
  "$(P login --cert-dir "$T/certdir-auth" --authfile "$T/login.json" -u tester -p nope "$RA" 2>&1;
     rc=$?; [ -e "$T/login.json" ] && echo "login.json written"; exit $rc)"
check "login" "Login Succeeded!" \
  "$(echo s3cret | P login --cert-dir "$T/certdir-auth" --authfile "$T/login.json" -u tester --password-stdin "$RA" 2>&1)"
check "login: auth.json is 0600" "600" "$(stat -c %a "$T/login.json")"
check "login: a later pull uses it" "$ID" \
  "$(P pull -q --cert-dir "$T/certdir-auth" --authfile "$T/login.json" "$RA/priv/busybox:1" 2>&1)"
check "logout" "Removed login credentials for $RA" "$(P logout --authfile "$T/login.json" "$RA" 2>&1)"
check_refused "logout again: not logged in" "Error: not logged into $RA" "$(P logout --authfile "$T/login.json" "$RA" 2>&1)"
unset REGISTRY_AUTH_FILE

# --- bearer tokens: docker-registry with token auth, token-server.py issuing them ---
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=podunit-token \
  -keyout "$T/tok.key" -out "$T/tok.crt" >/dev/null 2>&1
python3 "$HERE/token-server.py" "$T/tok.key" "$T/tok.crt" podunit-issuer tester:s3cret "$T/tok.port" "$T/tok.log" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$T/tok.port" ] && break; sleep 0.1; done
start_registry token "auth:
  token:
    realm: http://127.0.0.1:$(cat "$T/tok.port")/token
    service: podunit-test
    issuer: podunit-issuer
    rootcertbundle: $T/tok.crt"
RK=127.0.0.1:$PORT
skopeo copy -q --dest-creds tester:s3cret --dest-tls-verify=false "oci-archive:$T/busybox.tar" \
  "docker://$RK/tok/busybox:1" || { echo "Bail out! skopeo copy (token)"; exit 1; }
export REGISTRY_AUTH_FILE=$T/none.json
: > "$T/tok.log"
check_match_refused "token: no credentials (an anonymous token is not enough): one clear error" \
  "^Error: .*tok/busybox: authentication required \(HTTP 401\) and no credentials are stored for $RK" \
  "$(P pull -q --tls-verify=false "$RK/tok/busybox:1" 2>&1)"
check "token: asked for anonymously, with the pull scope" "anonymous repository:tok/busybox:pull" "$(head -n1 "$T/tok.log")"
check_match_refused "token: the token server refuses a wrong password" "as tester: invalid username/password" \
  "$(P pull -q --tls-verify=false --creds tester:wrong "$RK/tok/busybox:1" 2>&1)"
: > "$T/tok.log"
check "token: pull with --creds" "$ID" "$(P pull -q --tls-verify=false --creds tester:s3cret "$RK/tok/busybox:1")"
check "token: one token, for the repository's pull scope" "user repository:tok/busybox:pull" "$(cat "$T/tok.log")"
: > "$T/tok.log"
P push --tls-verify=false --creds tester:s3cret "$RK/tok/busybox:1" "$RK/tok/pushed:1" 2> "$T/err"
check "token: push, the layer mounted with the source's pull scope added" "0 1" \
  "$? $(count_matching 'skipped: already exists \(mounted from tok/busybox\)$' < "$T/err")"
check "token: the mount asked for both repositories" "1" \
  "$(count_matching '^user repository:tok/pushed:pull,push .*repository:tok/busybox:pull' < "$T/tok.log")"
check "token: search asks for registry:catalog:*" "$RK/tok/busybox|$RK/tok/pushed|" \
  "$(P search --tls-verify=false --creds tester:s3cret --format '{{.Name}}' "$RK/" | tr '\n' '|')"
check "token: ... as the challenge says" "1" "$(count_matching '^user registry:catalog:\*$' < "$T/tok.log")"
check "token: login (a token without a scope proves the password)" "Login Succeeded!" \
  "$(P login --tls-verify=false --authfile "$T/tok-auth.json" -u tester -p s3cret "$RK" 2>&1)"
check "token: the stored login pulls" "$ID" "$(P pull -q --tls-verify=false --authfile "$T/tok-auth.json" "$RK/tok/pushed:1")"
unset REGISTRY_AUTH_FILE

# --- a misbehaving server: one clear error each, the store unchanged ---
mkdir -p "$T/layout" && tar -xf "$T/busybox.tar" -C "$T/layout"
rmi_all
python3 "$HERE/registry-misbehave.py" "$T/layout" "$T/bad.port" &
PIDS+=($!)
for _ in $(seq 50); do [ -s "$T/bad.port" ] && break; sleep 0.1; done
RB=127.0.0.1:$(cat "$T/bad.port")
BEFORE=$(store_state)
bad () { PODUNIT_PULL_STALL_TIMEOUT=2 P pull -q --retry 1 --tls-verify=false "$RB/bad/$1" 2>&1; }
check_match_refused "wrong digest" "^Error: .*blob sha256:[0-9a-f]{64} from $RB/bad/digest: digest mismatch: the content is sha256:" "$(bad digest)"
check_match_refused "truncated blob: resumed, then given up" "^Error: .*bad/truncated: .* after [0-9]+ of [0-9]+ bytes \(tried 2 times\)" "$(bad truncated)"
check_match_refused "redirect loop" "^Error: .*too many redirects" "$(bad loop)"
check_match_refused "401 without credentials" "^Error: .*bad/auth: authentication required \(HTTP 401\)" "$(bad auth)"
check_match_refused "a stalled blob times out" "^Error: .*the transfer stalled \(no data for 2 s\)" "$(bad stall)"
check_match_refused "a manifest over 4 MiB is refused" "^Error: .*manifest latest from $RB: larger than 4194304 bytes" "$(bad bigmanifest)"
check "after every bad pull the store is as before" "$BEFORE" "$(store_state)"
PODUNIT_PULL_STALL_TIMEOUT=2 P pull --retry 1 --retry-delay 1 --tls-verify=false "$RB/bad/stallonce" > "$T/out" 2> "$T/err"
check "--retry: a blob that stalled halfway is resumed by the next attempt" "0 $ID" "$? $(cat "$T/out")"
check_match "... with Range from where it stopped (a whole download would stall again)" \
  '^Resuming blob sha256:[0-9a-f]{64} at byte [1-9][0-9]*$' "$(sed -n '/retrying in/,$p' "$T/err")"
P rmi -f "$RB/bad/stallonce" >/dev/null
check "... and the pull's staging is gone" "" "$(ls "$T/root/tmp")"
check "no staging left behind" "" "$(ls "$T/root/tmp")"
check "and the good image still pulls from it" "$ID" "$(P pull -q --tls-verify=false "$RB/bad/fine" 2>&1)"

# --- registries.conf (CONTAINERS_REGISTRIES_CONF, drop-ins) ---
export CONTAINERS_REGISTRIES_CONF=$T/registries.conf
cat > "$T/registries.conf" <<EOT
# search: the misbehaving server first (it has no test/busybox), then the registry
unqualified-search-registries = ["$RB", "$R"]
short-name-mode = "permissive"

[aliases]
"aliased" = "$R/test/busybox"

[[registry]]
prefix = "$R"
insecure = true

[[registry]]
prefix = "$RB"
insecure = true

[[registry]]
prefix = "$R/blocked"
location = "$R/test"
blocked = true

[[registry]]
prefix = "mirrored.example.com/test"
location = "$R/test"
insecure = true
[[registry.mirror]]
location = "127.0.0.1:1/down"
EOT
mkdir -p "$T/registries.conf.d"
printf '[aliases]\n"dropped" = "%s/test/two"\n' "$R" > "$T/registries.conf.d/50-mine.conf"
rmi_all
check "an alias resolves with no search (insecure from registries.conf)" "$ID" "$(P pull -q aliased:1 2>&1)"
check "podman's alias line on stderr" "Resolved \"aliased\" as an alias ($T/registries.conf)" \
  "$(P pull aliased:1 2>&1 >/dev/null | sed -n 1p)"
check_match "an alias from a drop-in" '^[0-9a-f]{64}$' "$(P pull -q dropped 2>&1)"
check "permissive: the first search registry that has it" "$ID" "$(P pull -q --retry 0 test/busybox:1 2>&1)"
check "it is named after the registry it came from" "$R/test/busybox:1" \
  "$(P images --format '{{.Repository}}:{{.Tag}}' | grep "^$R/test/busybox")"
check "a mirror that is down falls back to the location" "$ID" \
  "$(P pull -q --retry 0 mirrored.example.com/test/busybox:1 2>&1)"
check "and the image has the name asked for" "mirrored.example.com/test/busybox:1" \
  "$(P images --format '{{.Repository}}:{{.Tag}}' | grep ^mirrored)"
check "podman's progress names the image asked for, not the mirror or location" \
  "Trying to pull mirrored.example.com/test/busybox:1..." \
  "$(P pull --retry 0 mirrored.example.com/test/busybox:1 2>&1 >/dev/null | grep '^Trying to pull')"
check_refused "a blocked prefix" "Error: registry $R is blocked in $T/registries.conf or registries.conf.d" \
  "$(P pull -q "$R/blocked/busybox:1" 2>&1)"
sed -i 's/^short-name-mode = .*/short-name-mode = "enforcing"/' "$T/registries.conf"
check_refused "enforcing without a TTY: podman's error" "Error: short-name resolution enforced but cannot prompt without a TTY" \
  "$(P pull -q test/busybox:1 </dev/null 2>&1)"
check_refused "a run of a short name resolves the same way" "Error: short-name resolution enforced but cannot prompt without a TTY" \
  "$(P run --rm test/busybox:2 true </dev/null 2>&1)"
# With a TTY, enforcing prompts (tty-run.py types the answer); the pick
# goes into the alias cache, which the next pull uses without a prompt.
if [ -e "$ALIAS_CACHE" ]; then cp -p "$ALIAS_CACHE" "$T/alias-cache.saved"; else : > "$T/alias-cache.none"; fi
rm -f "$ALIAS_CACHE"
TTYRUN=$HERE/tty-run.py
check_match_refused "enforcing with a TTY: a choice that is not offered, and nothing is cached" 'is not one of 1 to 2' \
  "$(python3 "$TTYRUN" "Number [1-2]: " 7 "$PODUNIT" --root "$T/root" --runroot "$T/run" pull -q test/busybox:1;
     rc=$?; [ -e "$ALIAS_CACHE" ] && exit 0; exit $rc)"  # cached: not refused
python3 "$TTYRUN" "Number [1-2]: " 2 "$PODUNIT" --root "$T/root" --runroot "$T/run" pull -q test/busybox:1 > "$T/tty.out"
check "enforcing with a TTY: podman's question, the search registries as choices" \
  "? Please select an image:|  1) $RB/test/busybox:1|  2) $R/test/busybox:1|Number [1-2]: 2|$ID|" \
  "$(tr '\n' '|' < "$T/tty.out")"
check "the pick is cached as the short name's alias" "[aliases]|  \"test/busybox\" = \"$R/test/busybox\"|" \
  "$(tr '\n' '|' < "$ALIAS_CACHE")"
check "the next pull uses the cache: no prompt, no TTY needed" \
  "Resolved \"test/busybox\" as an alias ($ALIAS_CACHE)|$ID" \
  "$(P pull test/busybox:1 </dev/null 2>&1 | sed -n '1p;$p' | tr '\n' '|' | sed 's/|$//')"
printf '[aliases]\n  "aliased" = "%s/test/two"\n' "$R" > "$ALIAS_CACHE"
check "the cache wins over registries.conf's [aliases]" "$TWO" "$(P pull -q --retry 0 aliased 2>&1)"
rm -f "$ALIAS_CACHE"
printf 'unqualified-search-registries = ["a" "b"]\n' > "$T/registries.conf.d/60-bad.conf"
check_refused "a broken drop-in: FILE:LINE" "Error: $T/registries.conf.d/60-bad.conf:1: expected ',' or ']' in an array" \
  "$(P pull -q aliased:1 2>&1)"
unset CONTAINERS_REGISTRIES_CONF

# --- push: the round trip (pull every way, run, commit, push, rmi all, pull back, diff) ---
export CONTAINERS_REGISTRIES_CONF=$T/push.conf
cat > "$T/push.conf" <<EOT
unqualified-search-registries = ["$R"]
short-name-mode = "permissive"
[aliases]
"aliased" = "$R/test/busybox"
[[registry]]
prefix = "$R"
insecure = true
EOT
rmi_all
check "round trip: pull by digest" "$ID" "$(P pull -q "$R/test/busybox@$DIGEST")"
check "round trip: pull by tag" "$ID" "$(P pull -q "$R/test/busybox:1")"
check "round trip: pull by a short name's alias" "$ID" "$(P pull -q aliased:1)"
check "round trip: pull by a short name through the search registries" "$ID" "$(P pull -q test/busybox:1)"
check "round trip: run it, changing a file" "pushed-change" \
  "$(P run --name edit "$R/test/busybox:1" sh -c 'echo pushed-change > /etc/motd; cat /etc/motd')"
CID=$(P commit -q edit "$R/test/edited:1")
check_match "round trip: commit" '^[0-9a-f]{64}$' "$CID"
[ -n "$CID" ] || { echo "Bail out! commit printed no image id"; exit 1; }
P push "$R/test/edited:1" > "$T/out" 2> "$T/err"
check "push: status 0, nothing on stdout, podman's last line on stderr" \
  "0 |Writing manifest to image destination" "$? $(cat "$T/out")|$(tail -n1 "$T/err")"
check "push: the base layer is mounted from the repository it came from" "1" \
  "$(count_matching "^Copying blob sha256:[0-9a-f]{64} skipped: already exists \(mounted from test/busybox\)$" < "$T/err")"
check "push: the committed layer and the config are uploaded" "2" \
  "$(count_matching '^Copying (blob|config) sha256:[0-9a-f]{64}$' < "$T/err")"
check "push: the committed (uncompressed) layer goes out gzip-compressed, as podman pushes" \
  "application/vnd.oci.image.layer.v1.tar+gzip" \
  "$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$R/v2/test/edited/manifests/1" \
     | python3 -c 'import json,sys; print(json.load(sys.stdin)["layers"][-1]["mediaType"])')"
check "push: the registry lists the tag" '{"name":"test/edited","tags":["1"]}' \
  "$(curl -sf "http://$R/v2/test/edited/tags/list")"
P push --digestfile "$T/digest" "$R/test/edited:1" "docker://$R/test/edited:2" 2> "$T/err"
check "push again: every blob skipped" "3" "$(count_matching 'skipped: already exists$' < "$T/err")"
check "push: --digestfile is the registry's manifest digest" \
  "$(curl -sfI -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$R/v2/test/edited/manifests/2" \
     | tr -d '\r' | sed -n 's/^Docker-Content-Digest: //Ip')" "$(cat "$T/digest")"
P rm -f edit >/dev/null
check "rmi everything (the committed image was there)" "1 " \
  "$(P images -q | count_matching "^${CID:0:12}\$") $(P rm -a -f >/dev/null && P rmi -a -f >/dev/null && P images -q)"
check "pull it back: the committed image's id" "$CID" "$(P pull -q "$R/test/edited:1")"
check "the change is in it" "pushed-change" "$(P run --rm "$R/test/edited:1" cat /etc/motd)"
check_match "diff of the image shows it" "^A /etc/motd$" "$(P diff "$R/test/edited:1")"
check "pull by the pushed digest" "$CID" "$(P pull -q "$R/test/edited@$(cat "$T/digest")")"

# Chunked upload (PODUNIT_PUSH_CHUNK_SIZE=1 MiB; the big layer is ~2.3 MB)
# to a second registry behind upload-cut-proxy.py, which breaks the second
# PATCH of the big layer (the third PATCH: the busybox layer's is the
# first): cut before it reaches the registry, the upload resumes where the
# registry's Range says it stands; cut in the middle, distribution drops the
# upload and it starts again. Each push then pulls back as the same image.
python3 "$HERE/../images/mkimage.py" big "$T/chunky.tar" 1 4 >/dev/null || { echo "Bail out! image"; exit 1; }
check "the big image loads" "Loaded image: localhost/big:latest" "$(P load -i "$T/chunky.tar")"
CHUNKY=$(P image inspect --format '{{.Id}}' localhost/big:latest)
start_registry chunked ""
for mode in before middle; do
  rm -f "$T/proxy-$mode.port"
  python3 "$HERE/upload-cut-proxy.py" "$T/proxy-$mode.port" "$PORT" "$T/proxy-$mode.log" $mode 3 &
  PIDS+=($!)
  for _ in $(seq 50); do [ -s "$T/proxy-$mode.port" ] && break; sleep 0.1; done
  RC=127.0.0.1:$(cat "$T/proxy-$mode.port")
  PODUNIT_PUSH_CHUNK_SIZE=1048576 P push --tls-verify=false localhost/big:latest "$RC/chunk/$mode:1" 2> "$T/err-$mode"
  check "chunked push, second PATCH cut $mode it reached the registry: pushed" \
    "0 Writing manifest to image destination" "$? $(tail -n1 "$T/err-$mode")"
  check_match "cut $mode: chunks of 1 MiB with a Content-Range each" \
    "^PATCH /v2/chunk/$mode/blobs/uploads/[^ ]+ 0-1048575 202$" "$(grep '^PATCH' "$T/proxy-$mode.log" | sed -n 2p)"
  P --root "$T/root-$mode" --runroot "$T/run-$mode" pull -q --tls-verify=false "$RC/chunk/$mode:1" > "$T/out"
  check "cut $mode: pulls back as the same image" "$CHUNKY" "$(cat "$T/out")"
  P --root "$T/root-$mode" --runroot "$T/run-$mode" rmi -a -f >/dev/null 2>&1
done
# The log's lines from the cut on: method, Content-Range (PATCH), status.
after_cut () { grep -A3 CUT "$T/proxy-$1.log" | awk '{print $1, ($1 == "PATCH" ? $3 " " : "") $NF}' | paste -sd'|'; }
check "cut before: the upload asked where it stands, then resumed at byte 1048576 (no new upload)" \
  "PATCH 1048576-2097151 CUT|GET 204|PATCH 1048576-2097151 202|PATCH 2097152-2226850 202|POSTs: 3" \
  "$(after_cut before)|POSTs: $(grep -c '^POST' "$T/proxy-before.log")"
check "cut in the middle: distribution forgot the upload, a new one went up from byte 0" \
  "PATCH 1048576-2097151 CUT|GET 404|POST 202|PATCH 0-1048575 202" "$(after_cut middle)"
check_match "cut before: podunit said so" "^Resuming blob sha256:[0-9a-f]{64} upload at byte 1048576$" \
  "$(grep '^Resuming' "$T/err-before")"
check_match "cut in the middle: podunit said so" \
  "^Restarting blob sha256:[0-9a-f]{64} upload$" "$(grep '^Restarting' "$T/err-middle")"

# A Docker schema 2 image goes out under an OCI manifest, same blobs, same id.
skopeo copy -q --format v2s2 --dest-tls-verify=false "oci-archive:$T/busybox.tar" "docker://$R/test/docker:1" \
  || { echo "Bail out! skopeo copy v2s2"; exit 1; }
check "a Docker schema 2 image pulls" "$ID" "$(P pull -q "$R/test/docker:1")"
check_ok "and pushes" P push -q "$R/test/docker:1" "$R/test/fromdocker:1"
check "as an OCI manifest" "application/vnd.oci.image.manifest.v1+json" \
  "$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$R/v2/test/fromdocker/manifests/1" \
     | python3 -c 'import json,sys; print(json.load(sys.stdin)["mediaType"])')"
check "which pulls back as the same image" "$ID" "$(P pull -q "$R/test/fromdocker:1")"

# Pushing with credentials, over TLS (--cert-dir), and the refusals.
BEFORE=$(store_state)
export REGISTRY_AUTH_FILE=$T/none.json
check_match_refused "push without credentials: one clear error" \
  "^Error: trying to push docker://$RA/priv/pushed:1: .*authentication required \(HTTP 401\)" \
  "$(P push -q --cert-dir "$T/certdir-auth" "$R/test/edited:1" "$RA/priv/pushed:1" 2>&1)"
check_ok "push with --creds over TLS" P push -q --cert-dir "$T/certdir-auth" --creds tester:s3cret \
  "$R/test/edited:1" "$RA/priv/pushed:1"
check "which pulls back" "$CID" \
  "$(P pull -q --cert-dir "$T/certdir-auth" --creds tester:s3cret "$RA/priv/pushed:1")"
unset REGISTRY_AUTH_FILE
BEFORE=$(store_state)
check_refused "push --format v2s2: OCI only" "Error: --format v2s2: podunit writes OCI manifests only (--format oci)" \
  "$(P push --format v2s2 "$R/test/edited:1" 2>&1)"
check_refused "push of an unknown image" "Error: nosuch: image not known" "$(P push nosuch "$R/x/y:1" 2>&1)"
check_refused "push to a short name" "Error: push: x/y:1: a destination needs a registry (HOST[:PORT]/NAME[:TAG])" \
  "$(P push "$R/test/edited:1" x/y:1 2>&1)"
check_match_refused "push to a registry that is not there" "^Error: trying to push docker://127.0.0.1:1/x/y:1: .*127.0.0.1:1" \
  "$(P push -q --retry 0 --tls-verify=false "$R/test/edited:1" 127.0.0.1:1/x/y:1 2>&1)"
check "failed pushes left the store unchanged" "$BEFORE" "$(store_state)"
check_ok "push to an oci-archive" P push "$R/test/edited:1" "oci-archive:$T/pushed.tar"
rmi_all
check "which loads" "Loaded image: $R/test/edited:1" "$(P load -i "$T/pushed.tar")"
unset CONTAINERS_REGISTRIES_CONF

# --- search (the registry's /v2/_catalog), list-tags, pull --all-tags ---
export CONTAINERS_REGISTRIES_CONF=$T/push.conf
check "search HOST/TERM: podman's table" "NAME DESCRIPTION|$R/test/edited|" \
  "$(P search "$R/edit" | sed 's/  */ /g; s/ $//' | tr '\n' '|')"
check "search: the unqualified-search registries" "$R/test/edited" "$(P search --format '{{.Name}}' edited)"
check "search --format with Index" "$R $R/test/two" "$(P search --format '{{.Index}} {{.Name}}' "$R/two")"
check "search HOST/ --limit 2: the first two of the catalog" "$R/test/busybox|$R/test/docker|" \
  "$(P search --limit 2 --format '{{.Name}}' "$R/" | tr '\n' '|')"
check "search --format json" "$R/test/two 0" \
  "$(P search --format json "$R/two" | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(r["Name"], r["Stars"])')"
check "search --filter stars=1: catalog entries have none (unfiltered: one)" "$R/test/edited|" \
  "$(P search --format '{{.Name}}' "$R/test/edited")|$(P search --filter stars=1 "$R/test")"
check "search: no match prints nothing (a match prints it)" "$R/test/edited|" \
  "$(P search --format '{{.Name}}' "$R/edited")|$(P search "$R/nomatch")"
printf 'unqualified-search-registries = ["127.0.0.1:1", "%s"]\n[[registry]]\nprefix = "%s"\ninsecure = true\n' "$R" "$R" > "$T/search.conf"
check "search: a registry that is down is skipped while another answers" "$R/test/edited" \
  "$(CONTAINERS_REGISTRIES_CONF=$T/search.conf P search --tls-verify=false --format '{{.Name}}' edited)"
check_match_refused "search: only registries that fail: podman's error" \
  '^Error: 1 error occurred:$' "$(P search --tls-verify=false 127.0.0.1:1/x 2>&1 | head -n1)"
check_match_refused "search: which names the registry" \
  "couldn't search registry \"127.0.0.1:1\": ping from 127.0.0.1:1" "$(P search --tls-verify=false 127.0.0.1:1/x 2>&1)"
check "search --list-tags" "NAME TAG|$R/test/edited 1|$R/test/edited 2|" \
  "$(P search --list-tags "$R/test/edited" | sed 's/  */ /g; s/ $//' | { read -r h; echo "$h"; LC_ALL=C sort; } | tr '\n' '|')"
check "search --list-tags --limit 1" "1" "$(P search --list-tags --limit 1 --format '{{.Tag}}' "$R/test/edited" | wc -l)"
check "search --list-tags --format json" "$R/test/edited ['1', '2']" \
  "$(P search --list-tags --format json "$R/test/edited" | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(r["Name"], sorted(r["Tags"]))')"
check_refused "search --list-tags with --filter" "Error: filters are not applicable to list tags result" \
  "$(P search --list-tags --filter stars=1 "$R/test/edited" 2>&1)"
check "image list-tags prints what skopeo list-tags prints" \
  "$(skopeo list-tags --tls-verify=false "docker://$R/test/edited")" "$(P image list-tags "docker://$R/test/edited")"
check_match_refused "image list-tags of an unknown repository" "^Error: tag list from $R/test/nosuch: HTTP 404 NAME_UNKNOWN" \
  "$(P image list-tags "$R/test/nosuch" 2>&1)"

# Docker Hub's v1 search API (fake-hub-search.py) as index.docker.io: in a
# network and mount namespace made here, where /etc/hosts says it is
# 127.0.0.1 and the server listens on port 80 (https is refused, so
# --tls-verify=false falls back to http, as podman does).
command -v unshare >/dev/null && command -v nsenter >/dev/null || { echo "Bail out! util-linux"; exit 1; }
echo "127.0.0.1 localhost index.docker.io" > "$T/hub-hosts"
unshare -m -n --propagation private sh -c 'ip link set lo up && mount --bind "$1" /etc/hosts && exec sleep 300' \
  sh "$T/hub-hosts" &
NSPID=$!
PIDS+=($NSPID)
for _ in $(seq 50); do nsenter -t $NSPID -m getent hosts index.docker.io >/dev/null && break; sleep 0.1; done
nsenter -t $NSPID -m -n python3 "$HERE/fake-hub-search.py" 80 "$T/hub.log" &
PIDS+=($!)
for _ in $(seq 50); do nsenter -t $NSPID -m -n curl -sf -o /dev/null http://index.docker.io/v2/ && break; sleep 0.1; done
H () { nsenter -t $NSPID -m -n "$PODUNIT" --root "$T/root" --runroot "$T/run" "$@"; }
check "v1 search of docker.io: podman's table (official images under library/, description cut at 44 bytes)" \
  "NAME DESCRIPTION|docker.io/library/busybox Busybox base image. The Swiss army knife of ...|docker.io/progrium/busybox|docker.io/radial/busyboxplus Full-chain, Internet enabled, busybox made f...|" \
  "$(H search --tls-verify=false docker.io/busybox | sed 's/  */ /g; s/ $//' | tr '\n' '|')"
check "v1 search: asked at index.docker.io for the bare term, n = the limit" "q=busybox n=25 host=index.docker.io" \
  "$(tail -n1 "$T/hub.log")"
check "v1 search: stars, official, automated" \
  "docker.io/library/busybox 3300 [OK] |docker.io/progrium/busybox 70  [OK]|docker.io/radial/busyboxplus 40  [OK]|" \
  "$(H search --tls-verify=false --format '{{.Name}} {{.Stars}} {{.Official}} {{.Automated}}' docker.io/busybox | tr '\n' '|')"
check "v1 search --no-trunc: the whole description on one line" \
  "Busybox base image. The Swiss army knife of embedded Linux, small." \
  "$(H search --tls-verify=false --no-trunc --format '{{.Description}}' docker.io/busybox | head -n1)"
check "v1 search docker.io/library/NAME asks for NAME" "docker.io/library/busybox|q=busybox n=1 host=index.docker.io" \
  "$(H search --tls-verify=false --limit 1 --format '{{.Name}}' docker.io/library/busybox)|$(tail -n1 "$T/hub.log")"
check "v1 search --filter is-official=true / stars=50 / is-automated=true" \
  "docker.io/library/busybox|docker.io/library/busybox docker.io/progrium/busybox|docker.io/progrium/busybox docker.io/radial/busyboxplus" \
  "$(for fl in is-official=true stars=50 is-automated=true; do H search --tls-verify=false --filter $fl --format '{{.Name}}' docker.io/busybox | paste -sd' '; done | paste -sd'|')"
printf 'unqualified-search-registries = ["docker.io"]\n' > "$T/hub.conf"
check "v1 search of a short term through the unqualified-search registries" "docker.io/library/busybox 3300" \
  "$(CONTAINERS_REGISTRIES_CONF=$T/hub.conf H search --tls-verify=false --limit 1 --format '{{.Name}} {{.Stars}}' busybox)"
check "v1 search of another registry: names under it" "127.0.0.1/busybox [OK]" \
  "$(H search --tls-verify=false --limit 1 --format '{{.Name}} {{.Official}}' 127.0.0.1/busybox)"
check "v1 search --format json: podman's keys" "Automated Description Index Name Official Stars Tag|docker.io" \
  "$(H search --tls-verify=false --limit 1 --format json docker.io/busybox | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]; print(" ".join(sorted(r)) + "|" + r["Index"])')"
check "v1 search: no result prints nothing" "" "$(H search --tls-verify=false docker.io/nothing-like-it)"

rmi_all
check "pull --all-tags: every tag, each id on stdout" "$CID|$CID|" "$(P pull -q --all-tags "$R/test/edited" | tr '\n' '|')"
check "and every tag is stored" "$R/test/edited:1|$R/test/edited:2|" \
  "$(P images --format '{{.Repository}}:{{.Tag}}' | LC_ALL=C sort | tr '\n' '|')"
check_refused "pull --all-tags NAME:TAG" "Error: tag can't be used with --all-tags/-a" "$(P pull -a "$R/test/edited:1" 2>&1)"
unset CONTAINERS_REGISTRIES_CONF

echo "1..$n"
[ "$fails" = 0 ]
