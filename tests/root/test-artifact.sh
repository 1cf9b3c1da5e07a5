#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# OCI artifacts as a user sees them: podunit artifact add|ls|inspect|rm|
# extract with podman's output, messages and statuses; refusals leave the
# store as it was. Root only because lib.sh's private store is.
# Usage: test-artifact.sh PODUNIT   (needs root; prints "ok"/"not ok" lines)
set -u
PODUNIT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi
. "$HERE/lib.sh"
private_store artifact
index () { cat "$T/root/artifacts/index.json"; }

printf 'hello\n' >"$T/a.txt"
head -c 600 /dev/urandom >"$T/b.bin"
D=$(P artifact add --annotation k=v foo.io/myrepo/one "$T/a.txt")
check_match "add prints the manifest digest's hex" "^[0-9a-f]{64}$" "$D"
check "the name gets :latest" "foo.io/myrepo/one:latest $D" \
  "$(P artifact inspect --format '{{.Name}} {{.Digest}}' foo.io/myrepo/one | sed 's/sha256://')"
check "the manifest blob is what the digest names" "$D" \
  "$(sha256sum "$T/root/artifacts/blobs/sha256/$D" | cut -d' ' -f1)"
check "one layer per file: title, sniffed type, annotation" "a.txt|text/plain; charset=utf-8|v|6" \
  "$(P artifact inspect --format '{{range .Manifest.Layers}}{{index .Annotations "org.opencontainers.image.title"}}|{{.MediaType}}|{{index .Annotations "k"}}|{{.Size}}{{end}}' foo.io/myrepo/one)"
check "empty config, no artifactType without --type" "application/vnd.oci.empty.v1+json 2 <no value>" \
  "$(P artifact inspect --format '{{.Manifest.Config.MediaType}} {{.Manifest.Config.Size}} {{.Manifest.ArtifactType}}' foo.io/myrepo/one)"
CREATED=$(P artifact inspect --format '{{index .Manifest.Annotations "org.opencontainers.image.created"}}' foo.io/myrepo/one)
check_ok "the created annotation is an RFC 3339 time" date -d "$CREATED"
check "append adds a layer and keeps the created time" "2 $CREATED" \
  "$(P artifact add --append foo.io/myrepo/one "$T/b.bin" >/dev/null && P artifact inspect --format '{{len .Manifest.Layers}} {{index .Manifest.Annotations "org.opencontainers.image.created"}}' foo.io/myrepo/one)"
check "--type sets artifactType" "application/x-test" \
  "$(P artifact add --type application/x-test foo.io/myrepo/two "$T/b.bin" >/dev/null && P artifact inspect --format '{{.Manifest.ArtifactType}}' foo.io/myrepo/two)"
check "ls: podman's columns" "REPOSITORY TAG DIGEST CREATED SIZE" "$(P artifact ls | head -1 | tr -s ' ')"
check "ls --format --noheading" "foo.io/myrepo/one:latest foo.io/myrepo/two:latest" \
  "$(P artifact ls --noheading --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ' | sed 's/ $//')"
check "ls {{\"\\n\"}} prints only newlines" "" "$(P artifact ls --format '{{"\n"}}')"
check "inspect by digest prefix" "foo.io/myrepo/two:latest" \
  "$(P artifact inspect --format '{{.Name}}' "$(P artifact inspect --format '{{.Digest}}' foo.io/myrepo/two | cut -c8-19)")"
mkdir "$T/out"
check "extract to a directory: one file per title" "$(cat "$T/a.txt")|$(sha256sum <"$T/b.bin")" \
  "$(P artifact extract foo.io/myrepo/one "$T/out" && echo "$(cat "$T/out/a.txt")|$(sha256sum <"$T/out/b.bin")")"
check "extract --title to a file" "$(cat "$T/a.txt")" \
  "$(P artifact extract --title a.txt foo.io/myrepo/one "$T/single" && cat "$T/single")"
check "extract of several files to a non-directory refused" "125" \
  "$(failing P artifact extract foo.io/myrepo/one "$T/notadir" | cut -d' ' -f1)"

# --- refusals: one message, 125, store unchanged ---
BEFORE=$(index)
check "add of an existing name" "125 Error: foo.io/myrepo/one:latest: artifact already exists" \
  "$(failing P artifact add foo.io/myrepo/one "$T/a.txt")"
check "a name without a registry" "125 Error: invalid artifact name \"short\": repository name must be canonical (a registry host first, as in quay.io/NAME)" \
  "$(failing P artifact add short "$T/a.txt")"
check "a missing file" "125 Error: open $T/nope: no such file or directory" \
  "$(failing P artifact add foo.io/myrepo/three "$T/a.txt" "$T/nope")"
check "a directory is not a file" "125 Error: $T/out: not a regular file" \
  "$(failing P artifact add foo.io/myrepo/three "$T/out")"
check "a title twice" "125 Error: a.txt: file already exists in artifact" \
  "$(failing P artifact add --append foo.io/myrepo/one "$T/out/a.txt")"
check "--append with --replace" "125 Error: --append and --replace options cannot be used together" \
  "$(failing P artifact add --append --replace foo.io/myrepo/one "$T/a.txt")"
check "the title annotation is the file's name" "125 Error: cannot override filename with org.opencontainers.image.title annotation" \
  "$(failing P artifact add --annotation org.opencontainers.image.title=x foo.io/myrepo/three "$T/a.txt")"
check "inspect of an unknown artifact" "125 Error: foo.io/nope:latest: artifact does not exist" \
  "$(failing P artifact inspect foo.io/nope)"
check "rm of an unknown artifact" "125 Error: foo.io/nope:latest: artifact does not exist" \
  "$(failing P artifact rm foo.io/nope)"
check "rm --ignore of an unknown artifact" "0 " "$(failing P artifact rm --ignore foo.io/nope)"
check "push is not there yet, and says so" "125" "$(failing P artifact push foo.io/myrepo/one | cut -d' ' -f1)"
check "refusals left the index as it was" "$BEFORE" "$(index)"

# --- replace, rm ---
D2=$(P artifact add --replace foo.io/myrepo/one "$T/a.txt")
check "--replace: a new digest, one artifact of that name" "1 1" \
  "$([ "$D2" != "$D" ] && echo 1) $(P artifact ls --noheading --format '{{.Repository}}' | grep -c one)"
check "rm prints the digest" "$D2" "$(P artifact rm foo.io/myrepo/one)"
check "rm --all" "1 0" "$(P artifact rm --all | wc -l) $(P artifact ls --noheading | wc -l)"
check "no blob left behind" "0" "$(ls "$T/root/artifacts/blobs/sha256" | wc -l)"

echo "1..$n"
exit $((fails > 0))
