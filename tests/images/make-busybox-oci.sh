#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make-busybox-oci.sh OUT.tar [oci|docker] [--two-layer] [--zstd] [--name NAME] [--root-mode OCTAL]
# Writes a busybox-static test image archive (oci-archive by default, or a
# docker-archive) named localhost/busybox:latest; prints the image id.
# The two-layer variant adds a layer with a whiteout (/data/gone) and an
# opaque directory (/opq). Needs Debian's busybox-static and python3.
exec python3 "$(dirname "$0")/mkimage.py" busybox "$@"
