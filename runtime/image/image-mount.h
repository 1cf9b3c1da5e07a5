/* SPDX-License-Identifier: Apache-2.0 */
/* `image mount`: an image's layers mounted read-only in the caller's mount
 * namespace at RUNROOT/image-mounts/<id> (an overlay of its layers; one
 * layer: a read-only bind), until `image unmount` or a reboot (RUNROOT is a
 * tmpfs). The kernel's mount table is the record: nothing to go stale
 * when a command is killed. Root only (podman refuses rootless overlay
 * mounts outside `podman unshare` too). */
#pragma once

#include <glib.h>

/* RUNROOT/image-mounts/<id> */
char *image_mount_path (const char *runroot, const char *id);
/* Whether the image @id is mounted. */
gboolean image_is_mounted (const char *runroot, const char *id);
/* Mounts image @id with @layer_dirs (lowest first); its path (the same one
 * when mounted already). */
char *image_mount (const char *runroot, const char *id, char **layer_dirs, GError **error);
/* Unmounts image @id; *@was_mounted says whether it was. */
gboolean image_unmount (const char *runroot, const char *id, gboolean *was_mounted,
                        GError **error);
/* The ids of the mounted images, sorted. */
GPtrArray *image_mounted_ids (const char *runroot);
