/* SPDX-License-Identifier: Apache-2.0 */
#include "image/store-fs.h"
#include "image/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean
set_errno_error (GError **error, int err, const char *what, const char *path)
{
  g_set_error (error, STORE_ERROR, STORE_ERROR_IO, "%s %s: %s", what, path, g_strerror (err));
  return FALSE;
}

gboolean
fs_fsync_dir (const char *dir, GError **error)
{
  autofd int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || fsync (fd) < 0)
    return set_errno_error (error, errno, "cannot sync", dir);
  return TRUE;
}

gboolean
fs_write_atomic (const char *path, const void *data, gsize len, GError **error)
{
  g_autofree char *tmp = g_strconcat (path, ".tmp-XXXXXX", NULL);
  g_autofree char *dir = g_path_get_dirname (path);
  autofd int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644);

  if (fd < 0)
    return set_errno_error (error, errno, "cannot create", tmp);
  if (fd_write_all (fd, data, len) < 0)
    {
      int e = errno;
      unlink (tmp);
      return set_errno_error (error, e, "cannot write", tmp);
    }
  if (fsync (fd) < 0 || rename (tmp, path) < 0)
    {
      int e = errno;
      unlink (tmp);
      return set_errno_error (error, e, "cannot write", path);
    }
  return fs_fsync_dir (dir, error);
}

gboolean
fs_rm_rf_at (int parent, const char *name, GError **error)
{
  if (unlinkat (parent, name, 0) == 0 || errno == ENOENT)
    return TRUE;
  if (errno != EISDIR && errno != EPERM)
    return set_errno_error (error, errno, "cannot remove", name);

  int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return set_errno_error (error, errno, "cannot open", name);
  DIR *d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return set_errno_error (error, errno, "cannot read", name);
    }
  struct dirent *de;
  gboolean ok = TRUE;
  while (ok && (de = readdir (d)) != NULL)
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      ok = fs_rm_rf_at (dirfd (d), de->d_name, error);
    }
  closedir (d);
  if (ok && unlinkat (parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return set_errno_error (error, errno, "cannot remove", name);
  return ok;
}

gboolean
fs_rm_rf (const char *path, GError **error)
{
  return fs_rm_rf_at (AT_FDCWD, path, error);
}

gboolean
fs_mkdir_p (const char *path, int mode, GError **error)
{
  if (g_mkdir_with_parents (path, mode) < 0)
    return set_errno_error (error, errno, "cannot create directory", path);
  return TRUE;
}

static guint64
du_at (int fd0)
{
  guint64 total = 0;
  DIR *d = fdopendir (fd0);
  struct dirent *de;
  if (d == NULL)
    {
      close (fd0);
      return 0;
    }
  while ((de = readdir (d)) != NULL)
    {
      struct stat st;
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (S_ISREG (st.st_mode))
        total += st.st_size;
      else if (S_ISDIR (st.st_mode))
        {
          int fd = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (fd >= 0)
            total += du_at (fd);
        }
    }
  closedir (d);
  return total;
}

guint64
fs_du (const char *path)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  return fd < 0 ? 0 : du_at (fd);
}
