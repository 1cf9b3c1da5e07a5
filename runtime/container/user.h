/* SPDX-License-Identifier: Apache-2.0 */
/* The container's user, resolved in the image's own /etc/passwd and
 * /etc/group (never the host's). Errors are SPAWN_ERROR 125, as podman's
 * "unable to find user". */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* "user[:group]", names or numeric ids, looked up in @rootfs/etc/passwd and
 * @rootfs/etc/group. NULL or "" is root. A numeric uid need not exist (its
 * gid is then 0, as podman's, home "/"); a name must. @home (may be NULL) gets the
 * passwd entry's home, "/" when there is none. */
gboolean container_user_resolve (const char *user, const char *rootfs, uid_t *uid, gid_t *gid,
                                 char **home, GError **error);

/* The supplementary groups, appended to @groups (gid_t) as podman sets
 * them: @gid (the resolved primary group) when @user is set (-u or the
 * image's USER), then each --group-add name or gid in order; a name must
 * be in @rootfs/etc/group. */
gboolean container_user_groups (const char *user, gid_t gid, char **group_add,
                                const char *rootfs, GArray *groups, GError **error);
