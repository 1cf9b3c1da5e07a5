/* SPDX-License-Identifier: Apache-2.0 */
/* File helpers for the store's crash-safety rules (atomic writes are
 * fdio.h's write_file_atomic with WRITE_DURABLE): fsync the directory,
 * remove trees without following symlinks. */
#pragma once

#include <glib.h>

#include "fdio.h"
#include <sys/stat.h>

/* fsyncs the directory DIR (after a rename into it). */
gboolean fs_fsync_dir (const char *dir, GError **error);
/* rm -rf that never follows symlinks; missing PATH is fine. */
gboolean fs_rm_rf (const char *path, GError **error);
/* rm -rf of NAME under the directory fd DIRFD. */
gboolean fs_rm_rf_at (int dirfd, const char *name, GError **error);
/* Calls FN for every entry under the directory fd DIRFD, depth first,
 * directories before (POST FALSE) and after (POST TRUE) their contents, REL
 * the path from DIRFD, DIRFD of FN the entry's parent. Iterative, one
 * directory open at a time, no path length limit, never follows symlinks or
 * crosses into another file system; names sorted when SORTED. WHAT names
 * the top in errors. Stops at the first FALSE from FN (which sets ERROR). */
typedef gboolean (*FsWalkFunc) (int dirfd, const char *name, const char *rel,
                                const struct stat *st, gboolean post, gpointer data,
                                GError **error);
gboolean fs_walk (int dirfd, const char *what, gboolean sorted, FsWalkFunc fn, gpointer data,
                  GError **error);
/* Whether something is mounted on PATH in this mount namespace (its
 * mountinfo mount point; a bind within one file system shows only there). */
gboolean fs_is_mount_point (const char *path);
/* mkdir -p with MODE; errors name the path. */
gboolean fs_mkdir_p (const char *path, int mode, GError **error);
/* Sum of st_size of regular files under PATH (symlinks not followed). */
guint64 fs_du (const char *path);
