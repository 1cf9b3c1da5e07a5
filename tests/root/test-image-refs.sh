#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root tests of podman's image transports and flags around them:
# run/create docker-archive:PATH and oci-archive:PATH (the archive is
# loaded, then run), save --uncompressed, and --authfile checked on every
# verb that takes it (podman refuses a missing file even where no registry
# is asked).
# Usage: test-image-refs.sh PODUNIT   (needs root; prints "ok"/"not ok" lines)
set -u
PODUNIT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi
. "$HERE/lib.sh"
private_store image-refs

# --- run/create docker-archive: and oci-archive: ---
P run --name mk --entrypoint '["/bin/echo","from-the-archive"]' $IMG >/dev/null
P commit -q mk localhost/archived:1 >/dev/null
P rm mk >/dev/null
check "commit keeps the container's --entrypoint, as podman's" "[/bin/echo from-the-archive]" \
  "$(P image inspect --format '{{.Config.Entrypoint}}' localhost/archived:1)"
check_ok "save as docker-archive" P save -o "$T/d.tar" localhost/archived:1
check_ok "save as oci-archive" P save --format oci-archive -o "$T/o.tar" localhost/archived:1
P rmi localhost/archived:1 >/dev/null
P run --name fromd "docker-archive:$T/d.tar" >"$T/out" 2>"$T/err"
check "run docker-archive: runs what the archive holds" "from-the-archive" "$(cat "$T/out")"
check "with podman's copy progress on stderr" "Getting image source signatures|Copying config|Writing manifest to image destination" \
  "$(grep -o '^Getting image source signatures\|^Copying config\|^Writing manifest to image destination' "$T/err" | tr '\n' '|' | sed 's/|$//')"
check "the loaded image is in the store under its name" "0" "$(status P image exists localhost/archived:1)"
check "the container records that name" "localhost/archived:1" "$(P inspect --format '{{.ImageName}}' fromd)"
P rm fromd >/dev/null
P rmi localhost/archived:1 >/dev/null
CID=$(P create "oci-archive:$T/o.tar" 2>/dev/null | tail -1)
check_match "create oci-archive: prints the id" "^[0-9a-f]{64}$" "$CID"
check "start --attach of it" "from-the-archive" "$(P start --attach "$CID")"
P rm "$CID" >/dev/null
before=$(P images -q | wc -l)
check "a missing archive: 125, named, nothing made" "125 Error: docker-archive:$T/none.tar: No such file or directory|0" \
  "$(failing P run "docker-archive:$T/none.tar" | tr '\n' '|'; P ps -aq | wc -l)"
check "a file that is no archive: refused, nothing loaded" "125 $before" \
  "$(echo junk >"$T/junk.tar"; P run "oci-archive:$T/junk.tar" >/dev/null 2>&1; echo "$? $(P images -q | wc -l)")"

# --- save --uncompressed ---
mkdir "$T/u"
check_ok "save --format oci-archive --uncompressed" P save --format oci-archive --uncompressed -o "$T/u.tar" $IMG
tar -C "$T/u" -xf "$T/u.tar"
check "every blob is JSON or a plain tar (no gzip)" "0" \
  "$(for b in "$T"/u/blobs/sha256/*; do head -c2 "$b" | od -An -tx1 | tr -d ' \n'; echo; done | grep -c '^1f8b' || true)"
check "the manifest names plain tar layers whose digests are their contents'" "ok" \
  "$(python3 - "$T/u" <<'EOF'
import hashlib, json, os, sys
d = sys.argv[1]
blob = lambda dg: open(os.path.join(d, 'blobs/sha256', dg.split(':')[1]), 'rb').read()
idx = json.load(open(os.path.join(d, 'index.json')))
mdesc = idx['manifests'][0]
mraw = blob(mdesc['digest'])
assert 'sha256:' + hashlib.sha256(mraw).hexdigest() == mdesc['digest'] and len(mraw) == mdesc['size']
m = json.loads(mraw)
for l in m['layers']:
    data = blob(l['digest'])
    assert l['mediaType'].endswith('.tar'), l['mediaType']
    assert 'sha256:' + hashlib.sha256(data).hexdigest() == l['digest'] and len(data) == l['size']
print('ok')
EOF
)"
check_ok "it loads back" P load -i "$T/u.tar"

# --- --authfile: a missing file is refused on every verb that takes it ---
B=$T/bogus-authfile
msg="Error: credential file is not accessible: faccessat $B: no such file or directory"
for cmd in "create $IMG true" "run --rm $IMG true" "pull $IMG" "push $IMG localhost:1/x" \
           "search localhost:1/x" "logout localhost:1" "build $T"; do
  set -- $cmd
  check "$1 --authfile=missing: 125, podman's message" "125 $msg" "$(failing P "$1" --authfile="$B" "${@:2}")"
done
check "refused creates made no container" "0" "$(P ps -aq | wc -l)"
printf '{"auths":{}}' >"$T/auth.json"
check "an existing --authfile is taken (run)" "hi" "$(P run --rm --authfile "$T/auth.json" $IMG echo hi)"
check "REGISTRY_AUTH_FILE is not checked (podman)" "hi" \
  "$(REGISTRY_AUTH_FILE=$B "$PODUNIT" --root "$T/root" --runroot "$T/run" run --rm $IMG echo hi)"

echo "1..$n"
exit $((fails > 0))
