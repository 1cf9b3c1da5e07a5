#!/bin/bash
# Installs podunit's build and test dependencies from Debian 12 packages.
# The README lists the same packages; keep the two in step.
set -euo pipefail
PKGS=(
  # build
  meson ninja-build pkg-config gcc libc6-dev
  libglib2.0-dev libsystemd-dev systemd libseccomp-dev libcap-dev libarchive-dev
  libjson-glib-dev libcurl4-openssl-dev libssl-dev
  # rootless: newuidmap/newgidmap (run time and tests/root/test-rootless.sh),
  # pasta for rootless networking
  uidmap passt
  # tests
  libcriterion-dev python3 clang libclang-rt-14-dev busybox-static rpm zstd
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
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
