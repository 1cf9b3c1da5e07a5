#!/bin/bash
# Installs podunit's build and test dependencies from Debian 12 packages.
# The README lists the same packages; keep the two in step.
set -euo pipefail
PKGS=(
  # build
  meson ninja-build pkg-config gcc libc6-dev
  libglib2.0-dev libsystemd-dev systemd libseccomp-dev libcap-dev libarchive-dev
  libjson-glib-dev libcurl4-openssl-dev libssl-dev libmnl-dev libnftables-dev
  # networks at run time: podman's resolver (aardvark-dns); nftables and
  # iproute2 for the network tests to look at what podunit set up
  aardvark-dns nftables iproute2
  # rootless: newuidmap/newgidmap (run time and tests/root/test-rootless.sh),
  # pasta for rootless networking
  uidmap passt
  # tests (dbus-daemon: a private bus for tests/root/fake-firewalld.c)
  libcriterion-dev python3 clang libclang-rt-14-dev busybox-static rpm zstd dbus-daemon
  # leak checks of CLI verbs in tests/root/test-reliability.sh
  valgrind
  # registry tests: a local registry (its service is never started: the
  # host has no systemd; tests run `docker-registry serve` themselves),
  # skopeo to fill it, htpasswd for bcrypt entries, openssl for a test CA
  docker-registry skopeo apache2-utils openssl curl
  # podman's own system tests (suite podman-system, ../shared/podman-system)
  bats jq
  # VM end-to-end harness (tests/e2e)
  qemu-system-x86 debootstrap e2fsprogs
  # benchmarks
  hyperfine libarchive-tools
  # bench/run's anchors: crun with podman's config, conmon's memory, podman
  # itself (installs no running service: the host has no systemd), perf
  # for the CPU time of each command's process tree
  crun conmon podman linux-perf
)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  # docker-registry's postinst starts its service: refuse that (exit 101)
  # with a policy-rc.d for the length of the install, unless one exists.
  policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    policy=/usr/sbin/policy-rc.d
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  [ -z "$policy" ] || rm -f "$policy"
fi
