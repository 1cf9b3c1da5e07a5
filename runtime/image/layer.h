/* SPDX-License-Identifier: Apache-2.0 */
/* One layer's tarball <-> one directory.
 *
 * Unpacking is a single pass: libarchive decompresses (gzip, zstd or none,
 * detected), every uncompressed byte is hashed for the diff id, and each
 * entry is written relative to directory fds that were opened with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS): no entry can land outside
 * the layer directory, whatever symlinks earlier entries created.  Paths
 * that are absolute or contain ".." are rejected (not rewritten), as is an
 * entry whose parent path goes through a symlink.  Nothing is fsynced per
 * file, but each file's writeback starts once it is written; one syncfs at
 * the end makes the layer durable before the caller renames it into place
 * (the store waits for its staged files itself: LAYER_NO_SYNC).
 *
 * OCI whiteouts become overlayfs ones when running as root (".wh.NAME" ->
 * char device 0/0 NAME, ".wh..wh..opq" -> trusted.overlay.opaque=y on the
 * directory).  With LAYER_OCI_WHITEOUTS (rootless, where mknod of 0/0 and
 * trusted.* xattrs are not allowed) they are kept as the ".wh." files that
 * fuse-overlayfs reads. */
#pragma once

#include <glib.h>

typedef enum
{
  LAYER_OCI_WHITEOUTS = 1 << 0, /* keep .wh. files; no device nodes, no chown */
  LAYER_NO_SYNC = 1 << 1,       /* no final syncfs: the caller syncs (store) */
} LayerFlags;

/* Unpacks the tar stream read from FD into DEST (an existing empty
 * directory). WHAT names the layer in error messages. Returns the sha256 hex
 * of the uncompressed stream (its diff id) and its length. */
gboolean layer_unpack (int fd, const char *dest, LayerFlags flags, const char *what,
                       char **diff_id_hex, guint64 *size, GError **error);

/* Only decompresses and hashes the tar stream in FD: the diff id and length
 * of a layer blob whose content is already unpacked in the store. */
gboolean layer_digest (int fd, const char *what, char **diff_id_hex, guint64 *size, GError **error);

/* Writes DIR (an overlay upper dir) to OUT_FD as an uncompressed tar, turning
 * overlay whiteouts into OCI ones. Returns its sha256 hex and length. */
gboolean layer_pack (const char *dir, int out_fd, char **digest_hex, guint64 *size, GError **error);

/* The uncompressed tarball in IN_FD gzip-compressed into OUT_FD, as podman
 * pushes layers. The gzip header holds no time, so a layer always gives
 * the same blob. Returns the blob's sha256 hex and size. */
gboolean layer_gzip (int in_fd, int out_fd, char **digest_hex, guint64 *size, GError **error);
