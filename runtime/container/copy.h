/* SPDX-License-Identifier: Apache-2.0 */
/* Copying host files into a container that is not running (`podunit
 * build`'s COPY, ADD and WORKDIR).
 *
 * A child process with its own mount namespace mounts the container's
 * overlay (its image layers under its upper dir, as a start would) and
 * chroots into it, so a destination resolves as the container sees it,
 * symlinks and all, and every change lands in the upper dir the way the
 * container's own writes do. Sources are read through a directory fd
 * opened before the chroot, resolved with openat2(RESOLVE_IN_ROOT): a
 * "../x" or a symlink in the context cannot reach outside it. Mounting
 * overlay needs root (rootless podunit has no build COPY yet). */
#pragma once

#include <glib.h>

#include "container/container.h"

typedef struct {
  char **sources;     /* relative to @context; NULL with @mkdir_only */
  const char *dest;   /* absolute path in the container */
  gboolean dest_is_dir; /* a trailing '/' or several sources: copy into it */
  const char *chown;  /* "user[:group]" of the container's /etc/passwd; NULL: 0:0 */
  int chmod;          /* mode for the copied files and dirs, -1: the source's */
  gboolean mkdir_only; /* only create @dest and its parents (WORKDIR) */
} CopyRequest;

/* Copies as Docker's COPY does: a file to @dest (or into it when it is a
 * directory), a directory's contents into @dest, owner @chown (default
 * root), modes and modification times kept. */
gboolean container_copy_in (const char *root, const char *runroot, const ContainerConfig *c,
                            const char *context, const CopyRequest *r, GError **error);
