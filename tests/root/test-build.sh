#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
# Root tests of `podunit build`: an image built with each supported
# Containerfile instruction, checked as a user sees it (its output, what
# `run` prints, inspect's Config), the Containerfile from stdin, -q, and
# refusals that name the file and line and leave no image or container.
# Usage: test-build.sh PODUNIT   (needs root; prints "ok"/"not ok" lines)
set -u
PODUNIT=$(readlink -f "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then echo "skip: needs root"; exit 77; fi

. "$HERE/lib.sh"
private_store test-build
# the status, then stderr on one line (" | " between lines)
fails_with () { local out rc; out=$("$@" 2>&1 >/dev/null); rc=$?; echo "$rc ${out//$'\n'/ | }"; }
cfg () { P image inspect "$1" | python3 -c "import json,sys; c=json.load(sys.stdin)[0]['Config']; print($2)"; }

# --- every instruction ---
CTX=$T/ctx
mkdir -p "$CTX/dir/sub"
echo "from the context" > "$CTX/file.txt"
echo inner > "$CTX/dir/sub/inner"
ln -s sub/inner "$CTX/dir/link"
cat > "$CTX/Containerfile" <<'EOF'
# every instruction podunit build runs
ARG BASE=localhost/busybox:latest
from $BASE
ARG GREETING=hello
ENV APP=/app \
    MSG="$GREETING world"
LABEL org.test.one=1 "org.test.two"="two words"
WORKDIR $APP
COPY file.txt ./
COPY --chown=65534:65534 --chmod=0640 dir/ /data/
ADD file.txt /added
RUN echo "$MSG" > msg && echo "$GREETING-as-arg" > /arg && mkdir /made
USER 65534
RUN ["/bin/sh", "-c", "id -u > /tmp/uid"]
USER root
EXPOSE 8080 53/udp
VOLUME /data
STOPSIGNAL SIGUSR1
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/msg"]
EOF
out=$(P build -t built --build-arg GREETING=hi --label from.flag=yes "$CTX" 2>&1)
rc=$?
id=$(printf '%s\n' "$out" | tail -1)
check "build: exit 0, podman's STEP lines, the RUN's output, COMMIT, tag, id last" \
  "0|STEP 1/17: FROM \$BASE|STEP 9/17: RUN echo \"\$MSG\" > msg && echo \"\$GREETING-as-arg\" > /arg && mkdir /made|STEP 17/17: CMD [\"cat /app/msg\"]|COMMIT built|--> ${id:0:12}|Successfully tagged localhost/built:latest" \
  "$(echo "$rc|$(printf '%s\n' "$out" | grep -E '^(STEP (1|9|17)/|COMMIT|-->|Successfully)' | tr '\n' '|' | sed 's/|$//')")"
check_match "the last line is the 64-hex image id" '^[0-9a-f]{64}$' "$id"
check "the id is the tagged image's" "$id" "$(P image inspect --format '{{.Id}}' built)"
check "run: ENTRYPOINT + CMD, ENV expanded from the --build-arg" "hi world" "$(P run --rm built)"
check "WORKDIR is the cwd, COPY ./ landed there" "/app from the context" \
  "$(P run --rm built 'echo $(pwd) $(cat file.txt)')"
check "ARG reached RUN's environment, not the image's" "hi-as-arg unset" \
  "$(P run --rm built 'echo $(cat /arg) ${GREETING:-unset}')"
check "COPY dir/: contents, --chown, --chmod, symlink kept" \
  "inner 65534:65534 640 sub/inner" \
  "$(P run --rm built 'echo $(cat /data/sub/inner) $(stat -c %u:%g /data/sub/inner) $(stat -c %a /data/sub/inner) $(readlink /data/link)')"
check "ADD of a local file; RUN as USER 65534 wrote its uid" "from the context 65534" \
  "$(P run --rm built 'echo $(cat /added) $(cat /tmp/uid)')"
check "Config: Env, WorkingDir, User, StopSignal" \
  "['APP=/app', 'MSG=hi world'] /app root SIGUSR1" \
  "$(cfg built "[e for e in c['Env'] if e.split('=')[0] in ('APP','MSG')], c['WorkingDir'], c['User'], c['StopSignal']")"
check "Config: Labels (the base's, LABEL and --label), ExposedPorts, Volumes" \
  "[('from.flag', 'yes'), ('org.podunit.test', 'busybox'), ('org.test.one', '1'), ('org.test.two', 'two words')] ['53/udp', '8080/tcp'] ['/data']" \
  "$(cfg built "sorted(c['Labels'].items()), sorted(c['ExposedPorts']), sorted(c['Volumes'])")"
check "Config: Entrypoint and Cmd" "['/bin/sh', '-c'] ['cat /app/msg']" "$(cfg built "c['Entrypoint'], c['Cmd']")"
check "one new layer: the build's files, not the runtime's /etc/hostname & co" "A /added|A /app|A /arg|A /made" \
  "$(P diff built | grep -Ev '^C |/app/|/data/|/tmp' | tr '\n' '|' | sed 's/|$//')"
check "no working container is left" "" "$(P ps -a -q)"

# --- stdin, -q, ENTRYPOINT dropping the base's CMD ---
check_match "-q prints only the id" '^[0-9a-f]{64}$' \
  "$(printf 'FROM %s\nENTRYPOINT ["/bin/echo", "entry"]\n' "$IMG" | P build -q -t fromstdin -)"
check "build - (stdin): ENTRYPOINT without CMD drops the base image's CMD" "entry" "$(P run --rm fromstdin)"
check_match "-f - with a context, -q: RUN output kept off stdout" '^[0-9a-f]{64}$' \
  "$(printf 'FROM %s\nRUN echo noise\nCOPY file.txt /\n' "$IMG" | P build -q -f - -t two "$CTX" 2>/dev/null)"
check "image build (alias), several -t" "localhost/a:latest localhost/b:1" \
  "$(P image build -q -t a -t b:1 -f "$CTX/Containerfile" "$CTX" >/dev/null 2>&1; P image inspect --format '{{.RepoTags}}' a | tr -d '[]' | tr ' ' '\n' | sort | xargs)"

# --- what run adds back: /etc/mtab, and --cap-add for RUN ---
printf 'FROM %s\nRUN rm -f /etc/mtab\n' "$IMG" > "$T/nomtab"
P build -q -t nomtab -f "$T/nomtab" "$CTX" >/dev/null 2>&1
check "run recreates a missing /etc/mtab as podman's link" "'/etc/mtab' -> '/proc/mounts'" \
  "$(P run --rm nomtab stat -c %N /etc/mtab)"
printf 'FROM %s\nRUN umount /etc/hostname; rm /etc/hostname\n' "$IMG" > "$T/nohost"
check_ok "--cap-add SYS_ADMIN reaches RUN (umount of /etc/hostname)" \
  P build -t nohost --cap-add SYS_ADMIN -f "$T/nohost" "$CTX"
check "the image has no /etc/hostname: run makes one" "/etc/hostname" "$(P run --rm nohost ls /etc/hostname)"
check "run --no-hostname makes none" "1 ls: /etc/hostname: No such file or directory" \
  "$(failing P run --rm --no-hostname nohost ls /etc/hostname)"
check_match "without it, RUN's umount fails: the RUN's status, the step named" \
  "^1 .*Error: $T/nohost:2: building at STEP \"RUN umount /etc/hostname; rm /etc/hostname\": while running runtime: exit status 1" \
  "$(fails_with P build -t nohost2 -f "$T/nohost" "$CTX")"

# --- top reads /proc, never the image's tools (podman's CVE-2022-1227 test) ---
printf 'FROM %s\nRUN rm -f /bin/nsenter /usr/bin/nsenter; printf "#!/bin/sh\\nfalse\\n" > /bin/nsenter; chmod +x /bin/nsenter\n' "$IMG" > "$T/fakensenter"
P build -q -t fakensenter -f "$T/fakensenter" "$CTX" >/dev/null 2>&1
P run -d --name topper fakensenter sh -c 'sleep 100 & exec sleep 101' >/dev/null
check "top huser,user: podman's columns, one row per process" \
  "HUSER       USER|root        root|root        root" "$(P top topper huser,user | tr '\n' '|' | sed 's/ *|/|/g; s/|$//')"
check "top's default columns; pid and args as the container sees them" \
  "USER PID PPID %CPU ELAPSED TTY TIME COMMAND|1 0 sleep 101|2 1 sleep 100" \
  "$(P top topper | awk 'NR == 1 { print; next } { print $2, $3, $8, $9 }' | tr -s ' ' | tr '\n' '|' | sed 's/|$//')"
check "top: an unknown descriptor is refused" "125 Error: unknown descriptor: bogus" "$(failing P top topper bogus)"
P rm -f -t0 topper >/dev/null

# --- refusals: file and line named, 125, nothing left ---
before=$(P images -q | sort | tr '\n' ' ')
printf 'FROM %s\n\nFROB x\n' "$IMG" > "$CTX/bad"
check "an unknown instruction names file and line" "125 Error: $CTX/bad:3: unknown instruction: FROB" \
  "$(fails_with P build -f "$CTX/bad" "$CTX")"
printf 'FROM %s AS one\nRUN true\nFROM %s\n' "$IMG" "$IMG" > "$CTX/multi"
check_match "multi-stage is refused at the second FROM" "^125 Error: $CTX/multi:3: a second FROM" \
  "$(fails_with P build -f "$CTX/multi" "$CTX")"
printf 'FROM %s\nRUN touch /x\nCOPY missing /x\n' "$IMG" > "$CTX/nofile"
check_match "COPY of a missing file names it, after a RUN" "^125 Error: $CTX/nofile:3: building at STEP \"COPY missing /x\": COPY missing: No such file" \
  "$(fails_with P build -t nofile -f "$CTX/nofile" "$CTX")"
printf 'FROM %s\nADD http://127.0.0.1:1/x /x\n' "$IMG" > "$CTX/url"
check_match "ADD of a URL is refused" "^125 Error: .*url:2: .*a URL as source is not supported" \
  "$(fails_with P build -f "$CTX/url" "$CTX")"
check_match "RUN that fails: its exit status" "^3 Error: .*RUN exit 3" \
  "$(printf 'FROM %s\nRUN exit 3\n' "$IMG" | fails_with P build -t failed -)"
check "failed builds left no image and no container" "$before|" \
  "$(P images -q | sort | tr '\n' ' ')|$(P ps -a -q)"
check "no Containerfile in the context" \
  "125 Error: no Containerfile or Dockerfile specified or found in context directory, $T/run" \
  "$(fails_with P build "$T/run")"

echo "1..$n"
[ "$fails" = 0 ]
