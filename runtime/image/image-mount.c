/* SPDX-License-Identifier: Apache-2.0 */
/* Read-only mounts of images (image-mount.h). */
#include "image/image-mount.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "image/store-fs.h"

#define MOUNTS_DIR "image-mounts"

char *
image_mount_path (const char *runroot, const char *id)
{
  return g_build_filename (runroot, MOUNTS_DIR, id, NULL);
}

gboolean
image_is_mounted (const char *runroot, const char *id)
{
  g_autofree char *path = image_mount_path (runroot, id);
  return fs_is_mount_point (path);
}

char *
image_mount (const char *runroot, const char *id, char **layer_dirs, GError **error)
{
  g_autofree char *path = image_mount_path (runroot, id);
  guint n = layer_dirs ? g_strv_length (layer_dirs) : 0;

  if (n == 0)
    return gerror_set (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "image %.12s has no layers", id),
           NULL;
  if (fs_is_mount_point (path))
    return g_steal_pointer (&path);
  if (g_mkdir_with_parents (path, 0700) < 0)
    return errno_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, errno, "creating %s", path),
           NULL;
  if (n == 1)
    {
      /* overlay wants two lower dirs without an upper one */
      if (mount (layer_dirs[0], path, NULL, MS_BIND, NULL) < 0
          || mount (NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
        {
          int e = errno;
          umount2 (path, MNT_DETACH);
          rmdir (path);
          return errno_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, e, "mounting image %.12s at %s",
                              id, path),
                 NULL;
        }
    }
  else
    {
      g_autoptr (GString) opts = g_string_new ("lowerdir=");
      for (guint i = n; i > 0; i--) /* overlay lists the top layer first */
        g_string_append_printf (opts, "%s%s", layer_dirs[i - 1], i > 1 ? ":" : "");
      if (mount ("overlay", path, "overlay", MS_RDONLY, opts->str) < 0)
        {
          int e = errno;
          rmdir (path);
          return errno_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, e, "mounting image %.12s at %s",
                              id, path),
                 NULL;
        }
    }
  return g_steal_pointer (&path);
}

gboolean
image_unmount (const char *runroot, const char *id, gboolean *was_mounted, GError **error)
{
  g_autofree char *path = image_mount_path (runroot, id);
  *was_mounted = fs_is_mount_point (path);
  if (*was_mounted && umount2 (path, MNT_DETACH) < 0)
    return errno_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, errno, "unmounting %s", path);
  (void) rmdir (path);
  return TRUE;
}

static gint
by_string (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

GPtrArray *
image_mounted_ids (const char *runroot)
{
  g_autofree char *dir = g_build_filename (runroot, MOUNTS_DIR, NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  const char *e;
  while (d && (e = g_dir_read_name (d)))
    if (image_is_mounted (runroot, e))
      g_ptr_array_add (ids, g_strdup (e));
  g_ptr_array_sort (ids, by_string);
  return ids;
}
