/* SPDX-License-Identifier: Apache-2.0 */
/* Writing generated units: atomically, with [Install] symlinks. */
#pragma once

#include <glib.h>

#include "unitfile.h"

/* Writes @service to OUTDIR/NAME (NAME = its file name, mode 0644) through a
 * temporary file in @outdir that is renamed over the target, so readers
 * (systemd, a concurrent run) see the old or the new unit, never a torn
 * one. @header becomes a comment at the top. */
gboolean emit_service (const char *outdir, UnitFile *service, const char *header, GError **error);

/* The output directory as a file descriptor for the _at() variants, which
 * work relative to it (-1 with errno on failure; close it when done). */
int emit_open_dir (const char *outdir);
/* emit_service() in the directory @dirfd; @outdir (its path) for messages. */
gboolean emit_service_at (int dirfd, const char *outdir, UnitFile *service, const char *header,
                          GError **error);

/* Creates the symlinks [Install] asks for (Alias=, WantedBy=, RequiredBy=,
 * UpheldBy=; templates only with DefaultInstance=) under @outdir. Problems
 * are appended to @problems (char*); the unit itself stays usable. */
void emit_install_symlinks (const char *outdir, UnitFile *service, GPtrArray *problems);
void emit_install_symlinks_at (int dirfd, const char *outdir, UnitFile *service,
                               GPtrArray *problems);

/* systemd ignores unit-file lines longer than this (LONG_LINE_MAX). */
#define EMIT_MAX_LINE (1024 * 1024)

/* Fails when a line of @service is too long for systemd to read. */
gboolean emit_check_lines (UnitFile *service, GError **error);

/* "---NAME---\nTEXT\n" as printed by --dryrun (caller frees). */
char *emit_dry_run_text (UnitFile *service);
