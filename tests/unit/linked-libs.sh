#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The libraries ld.so loads and relocates at every start, each with its own:
# podunit needs glib, libmnl and libc only (json-glib with gio, libseccomp,
# libcap, libcurl, libsystemd and libnftables are dlopened on first use:
# runtime/cli/meson.build), podunit-supervisor libc only. A single
# G_IO_ERROR once linked gio and its eight libraries into every command:
# 0.8 ms more per start.
# Usage: linked-libs.sh PODUNIT PODUNIT-SUPERVISOR
command -v readelf >/dev/null || { echo "skip: needs readelf"; exit 77; }
# (ld.so itself, named per architecture, left out)
needed () { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | grep -v '^ld-linux' | sort | tr '\n' ' '; }
rc=0
check () { # BINARY EXPECTED
  got=$(needed "$1")
  if [ "$got" = "$2" ]; then echo "ok - $(basename "$1") needs $2"
  else echo "not ok - $(basename "$1") needs: $got (expected $2)"; rc=1; fi
}
check "$1" "libc.so.6 libglib-2.0.so.0 libmnl.so.0 "
check "$2" "libc.so.6 "
exit $rc
