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

/* The output directory as a file descriptor for the _at() functions,
 * which work relative to it (-1 with errno on failure; close it when done). */
int emit_open_dir (const char *outdir);
/* emit_service() in two steps: the text of @service as written (@header
 * as a comment at the top; caller frees), and writing @len bytes of @text
 * as @name in the directory @dirfd (@outdir: its path, for messages). */
char *emit_service_text (UnitFile *service, const char *header, gsize *len);
gboolean emit_write_at (int dirfd, const char *outdir, const char *name, const char *text,
                        gsize len, GError **error);

/* One symlink of the [Install] section: @path, relative to the output
 * directory, pointing at @target (relative to the link's directory). */
typedef struct {
  char *path;
  char *target;
} EmitLink;
void emit_link_free (EmitLink *link);

/* The symlinks [Install] asks for (Alias=, WantedBy=, RequiredBy=,
 * UpheldBy=; templates only with DefaultInstance=), as EmitLink*. A link
 * that would leave the output directory is appended to @problems (char*)
 * instead. Only reads @service. */
GPtrArray *emit_install_links (UnitFile *service, GPtrArray *problems);
/* Creates @link under @dirfd (@outdir: its path, for messages), with its
 * parent directories, replacing what is there; problems go to @problems. */
void emit_link_at (int dirfd, const char *outdir, const EmitLink *link, GPtrArray *problems);
/* Both, for every link of @service under @outdir. */
void emit_install_symlinks (const char *outdir, UnitFile *service, GPtrArray *problems);

/* systemd ignores unit-file lines longer than this (LONG_LINE_MAX). */
#define EMIT_MAX_LINE (1024 * 1024)

/* Fails when a line of @service is too long for systemd to read. */
gboolean emit_check_lines (UnitFile *service, GError **error);

/* "---NAME---\nTEXT\n" as printed by --dryrun (caller frees). */
char *emit_dry_run_text (UnitFile *service);
