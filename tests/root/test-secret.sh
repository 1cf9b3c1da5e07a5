#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root integration tests of secrets: podunit secret create|ls|inspect|rm|
# exists and their use by `run --secret` (what Quadlet's Secret= emits),
# as podman's: the data and mode a container sees, env secrets, replace,
# refusals with podman's messages and statuses, nothing left behind.
# Usage: test-secret.sh PODUNIT [GENERATOR]   (needs root; prints "ok"/"not ok" lines)
set -u
PODUNIT=$(readlink -f "$1")
GENERATOR=${2:+$(readlink -f "$2")}
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi
. "$HERE/lib.sh"
private_store secret
nctr () { P ps -a -q | wc -l; }

printf 'hunter2' >"$T/pw"
# --- create / ls / inspect / exists ---
ID=$(P secret create pw "$T/pw")
check_match "create prints a 25-hex id" "^[0-9a-f]{25}$" "$ID"
check "store: directory 0700, metadata and data 0600" "700 600 600" \
  "$(stat -c %a "$T/root/secrets") $(stat -c %a "$T/root/secrets/secrets.json") $(stat -c %a "$T/root/secrets/filedriver/secretsdata.json")"
check "secrets.json names it both ways, as podman's" "pw $ID" \
  "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); i=d["nameToID"]["pw"]; print(d["idToName"][i], d["secrets"][i]["id"])' "$T/root/secrets/secrets.json")"
check "the file driver keeps the data base64'd under the id" "hunter2" \
  "$(python3 -c 'import json,sys,base64; print(base64.b64decode(json.load(open(sys.argv[1]))[sys.argv[2]]).decode())' "$T/root/secrets/filedriver/secretsdata.json" "$ID")"
check "create of a name in use: 125, podman's message" "125 Error: pw: secret name in use" \
  "$(failing P secret create pw "$T/pw")"
check "--ignore: the existing id" "$ID" "$(P secret create --ignore pw "$T/pw")"
check "--ignore with --replace refused" "125 Error: cannot use --ignore and --replace flags together" \
  "$(failing P secret create --ignore --replace pw "$T/pw")"
check "a bad name: podman's message" "125 Error: secret name \"a/b\" can not include '=', '/', ',', or the '\\0' (NULL) and be between 1 and 253 characters: invalid secret name" \
  "$(failing P secret create a/b "$T/pw")"
check "empty data refused" "125 Error: secret data must be larger than 0 and less than 512000 bytes" \
  "$(failing P secret create empty /dev/null)"
check "missing file: Go's open error" "125 Error: open $T/nope: no such file or directory" \
  "$(failing P secret create x "$T/nope")"
check "--env with an unset variable" "125 Error: cannot create store secret data: environment variable PSYSNOPE is not set" \
  "$(failing P secret create --env x PSYSNOPE)"
check "refusals stored nothing" "1 1 1" "$(status P secret exists a/b) $(status P secret exists empty) $(status P secret exists x)"
check_match "stdin and labels" "^[0-9a-f]{25}$" "$(printf 'from stdin' | P secret create -l app=web -l flag other -)"
check_ok "--env reads the variable" env PSYSVAL=envdata "$PODUNIT" --root "$T/root" --runroot "$T/run" secret create --env fromenv PSYSVAL
check "ls: podman's header and columns" "ID NAME DRIVER CREATED UPDATED" "$(P secret ls | head -1 | tr -s ' ')"
check "ls -q lists the ids" "3" "$(P secret ls -q | grep -cE '^[0-9a-f]{25}$')"
check "ls --filter name= --format" "other file" "$(P secret ls --filter name=^oth --format '{{.Name}} {{.Driver}}')"
check "ls --filter id=" "pw" "$(P secret ls --filter id="$ID" --format '{{.Name}}')"
check "ls --noheading with no match prints nothing" "" "$(P secret ls -n --filter name=zzz)"
check "ls: an unknown filter refused" "125 Error: invalid filter \"driver\"" "$(failing P secret ls --filter driver=file)"
check "inspect: Spec.Name, driver, labels" "other file map[app:web flag:]" \
  "$(P secret inspect --format '{{.Spec.Name}} {{.Spec.Driver.Name}} {{.Spec.Labels}}' other)"
check "inspect hides the data" "" "$(P secret inspect --format '{{.SecretData}}' pw)"
check "inspect --showsecret" "hunter2" "$(P secret inspect --showsecret --format '{{.SecretData}}' pw)"
check "inspect by id prefix" "pw" "$(P secret inspect --format '{{.Spec.Name}}' "${ID:0:10}")"
check "inspect JSON" "$ID pw file" "$(P secret inspect pw | python3 -c 'import json,sys; s=json.load(sys.stdin)[0]; print(s["ID"], s["Spec"]["Name"], s["Spec"]["Driver"]["Name"])')"
check "inspect of a missing secret: [], 125, podman's message" "[]|Error: inspecting secret: no secret with name or id \"nope\": no such secret|status 125" \
  "$( { P secret inspect nope 2>"$T/err"; rc=$?; echo "|$(cat "$T/err")|status $rc"; } | tr -d '\n')"
check "exists" "0 1" "$(status P secret exists pw) $(status P secret exists nope)"

# --- run --secret ---
check "mounted at /run/secrets/NAME with the data" "hunter2" "$(P run --rm --secret pw $IMG cat /run/secrets/pw)"
check "default mode 0444, owned by root" "-r--r--r-- 0 0" \
  "$(P run --rm --secret pw $IMG ls -ln /run/secrets/pw | awk '{print $1, $3, $4}')"
check "target, uid, gid, mode" "-r-------- 1000 1001 hunter2" \
  "$(P run --rm --secret pw,type=mount,target=/root/pw,uid=1000,gid=1001,mode=0400 $IMG sh -c 'ls -ln /root/pw | awk "{printf \"%s %s %s \", \$1, \$3, \$4}"; cat /root/pw')"
check "inspect's Config.Secrets: name, uid, gid, mode (decimal)" "pw 1 2 256" \
  "$(P create --name insp --secret pw,uid=1,gid=2,mode=0400 --secret pw,type=env $IMG true >/dev/null && P inspect --format '{{range .Config.Secrets}}{{.Name}} {{.UID}} {{.GID}} {{.Mode}}{{end}}' insp)"
P rm insp >/dev/null
check "relative target is under /run/secrets" "hunter2" "$(P run --rm --secret source=pw,target=other $IMG cat /run/secrets/other)"
check "readable by a non-root --user" "hunter2" "$(P run --rm --user 200:200 --secret pw $IMG cat /run/secrets/pw)"
check "type=env: the variable named as the secret" "hunter2" "$(P run --rm --secret pw,type=env $IMG sh -c 'echo "$pw"')"
check "type=env,target=: another name" "envdata" "$(P run --rm --secret fromenv,type=env,target=TOKEN $IMG sh -c 'echo "$TOKEN"')"
check "env secrets are not in inspect's Env" "0" "$(P create --name envc --secret pw,type=env $IMG true >/dev/null && P inspect envc | awk '/hunter2/ { n++ } END { print n + 0 }')"
check "exec sees the env secret" "hunter2" "$(P run -d --name envd --secret pw,type=env $IMG sleep 100 >/dev/null && P exec envd sh -c 'echo "$pw"')"
P rm -f -t0 envc envd >/dev/null 2>&1
before=$(nctr)
check "a missing secret: 125, podman's message" "125 Error: no secret with name or id \"nope\": no such secret" \
  "$(failing P run --rm --secret nope $IMG true)"
check "create refuses it too" "125 Error: no secret with name or id \"nope\": no such secret" \
  "$(failing P create --name withnope --secret nope $IMG true)"
check "bad options: podman's messages" "125 Error: type other is invalid: parsing secret|125 Error: option invalid=invalid invalid: parsing secret|125 Error: option type must be in form option=value: parsing secret|125 Error: UID, GID, Mode options cannot be set with secret type env: parsing secret" \
  "$( { failing P run --rm --secret pw,type=other $IMG true; failing P run --rm --secret pw,invalid=invalid $IMG true; failing P run --rm --secret pw,type $IMG true; failing P run --rm --secret pw,type=env,uid=1 $IMG true; } | tr '\n' '|' | sed 's/|$//')"
check "refused runs leave no container" "$before" "$(nctr)"

# --- Quadlet's Secret= as the generator writes it ---
if [ -n "$GENERATOR" ]; then
  U=$T/units; mkdir -p "$U"
  printf '%s\n' '[Container]' "Image=$IMG" 'Secret=pw' 'Secret=fromenv,type=env,target=TOKEN' \
    'Secret=pw,type=mount,target=/root/pw,uid=1000,mode=0400' \
    "Exec=sh -c 'cat /run/secrets/pw; echo; env | grep ^TOKEN=; ls -ln /root/pw; sleep 100'" >"$U/sec.container"
  # the generated ExecStart, podunit's path replaced by this build on this store
  START=$(QUADLET_UNIT_DIRS=$U "$GENERATOR" --dryrun 2>/dev/null | sed -n 's/^ExecStart=//p' |
          sed -e 's|^[^ ]*podunit |P |; s|%N|sec|g')
  check_match "the generated ExecStart passes Secret= as --secret" "--secret pw --secret fromenv,type=env,target=TOKEN --secret pw,type=mount,target=/root/pw,uid=1000,mode=0400" "$START"
  check_match "... and runs: the file, the variable, the mode and owner" "^hunter2 TOKEN=envdata -r-------- +1 1000 +0 " \
    "$(eval "$START" >/dev/null && for i in $(seq 50); do P logs systemd-sec 2>/dev/null | grep -q root/pw && break; sleep 0.1; done; P logs systemd-sec | tr '\n' ' ')"
  P rm -f -t0 systemd-sec >/dev/null 2>&1
fi

# --- a container keeps its copy; replace and rm ---
check_ok "create a container with the secret" P create --name keep --secret pw $IMG cat /run/secrets/pw
printf 'newvalue' >"$T/pw2"
NEW=$(P secret create --replace pw "$T/pw2")
check_match "--replace gives a new id" "^[0-9a-f]{25}$" "$NEW"
check "the old id is gone" "1" "$(status P secret exists "$ID")"
check "a new container sees the new data" "newvalue" "$(P run --rm --secret pw $IMG cat /run/secrets/pw)"
check "a container created before keeps its copy (podman)" "hunter2" "$(P start -a keep)"
check "rm prints the id" "$NEW" "$(P secret rm pw)"
check "the old container still starts" "hunter2" "$(P start -a keep)"
check "rm of a missing secret: 125, podman's message" "125 Error: no secret with name or id \"pw\": no such secret" \
  "$(failing P secret rm pw)"
check "rm --ignore of a missing secret" "0 " "$(failing P secret rm --ignore pw)"
check "rm with neither name nor --all" "125 Error: \`podman secret rm\` requires one argument, or the --all flag" \
  "$(failing P secret rm)"
check "rm -a removes the rest" "2 0" "$(P secret rm -a | wc -l) $(P secret ls -q | wc -l)"
check "no data left in the file driver" "{}" \
  "$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))' "$T/root/secrets/filedriver/secretsdata.json")"
P rm -f keep >/dev/null 2>&1

echo "1..$n"
exit $((fails > 0))
