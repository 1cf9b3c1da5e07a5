/* SPDX-License-Identifier: Apache-2.0 */
#include "image/store-fs.h"
#include "names.h"
#include "image/store.h"
#include "error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

gboolean
fs_fsync_dir (const char *dir, GError **error)
{
  autofd int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || fsync (fd) < 0)
    return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot sync %s", dir);
  return TRUE;
}

/* Tree walks hold one directory open at a time and keep no C stack per
 * level: a container can nest directories as deep as it likes (thousands of
 * levels, paths far over PATH_MAX), and rm, commit and diff must still work.
 * Going back up uses "..", checked against the device and inode seen on the
 * way down, so a directory moved meanwhile stops the walk instead of leading
 * it outside the tree. */
typedef struct
{
  GPtrArray *names;
  guint next;
  struct stat st; /* of this directory */
  gsize rel_len;  /* length of its path relative to the top */
} WalkFrame;

static GPtrArray *
read_names (int fd, gboolean sorted, const char *what, const char *rel, GError **error)
{
  int dfd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = dfd < 0 ? NULL : fdopendir (dfd);
  struct dirent *de;
  GPtrArray *names;

  if (d == NULL)
    {
      int e = errno;
      if (dfd >= 0)
        close (dfd);
      errno_error (error, STORE_ERROR, STORE_ERROR_IO, e, "cannot read %s/%s", what, rel);
      return NULL;
    }
  names = g_ptr_array_new_with_free_func (g_free);
  while ((de = readdir (d)) != NULL)
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      g_ptr_array_add (names, g_strdup (de->d_name));
  closedir (d);
  if (sorted)
    g_ptr_array_sort (names, name_compare);
  return names;
}

static gboolean
walk_error (GError **error, int err, const char *what, const char *rel, const char *msg)
{
  return errno_error (error, STORE_ERROR, STORE_ERROR_IO, err, "cannot %s %s/%s", msg, what, rel);
}

gboolean
fs_walk (int dirfd, const char *what, gboolean sorted, FsWalkFunc fn, gpointer data,
         GError **error)
{
  g_autoptr (GArray) stack = g_array_new (FALSE, TRUE, sizeof (WalkFrame));
  g_autoptr (GString) rel = g_string_new (NULL);
  autofd int cur = openat (dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  WalkFrame top = { 0 };
  gboolean ok = TRUE;

  if (cur < 0 || fstat (cur, &top.st) < 0)
    return walk_error (error, errno, what, "", "open");
  top.names = read_names (cur, sorted, what, "", error);
  if (top.names == NULL)
    return FALSE;
  g_array_append_val (stack, top);

  while (ok && stack->len > 0)
    {
      WalkFrame *f = &g_array_index (stack, WalkFrame, stack->len - 1);
      if (f->next < f->names->len)
        {
          const char *name = f->names->pdata[f->next++];
          struct stat st;
          g_string_truncate (rel, f->rel_len);
          if (rel->len > 0)
            g_string_append_c (rel, '/');
          g_string_append (rel, name);
          if (fstatat (cur, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
            {
              if (errno != ENOENT)
                ok = walk_error (error, errno, what, rel->str, "stat");
              continue;
            }
          if (!fn (cur, name, rel->str, &st, FALSE, data, error))
            {
              ok = FALSE;
              continue;
            }
          /* Never into another file system (a mount left behind). */
          if (!S_ISDIR (st.st_mode) || st.st_dev != top.st.st_dev)
            continue;
          WalkFrame child = { .st = st, .rel_len = rel->len };
          int cfd = openat (cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          struct stat cst;
          if (cfd < 0 || fstat (cfd, &cst) < 0 || cst.st_ino != st.st_ino
              || cst.st_dev != st.st_dev)
            {
              ok = walk_error (error, cfd < 0 ? errno : ESTALE, what, rel->str, "open");
              if (cfd >= 0)
                close (cfd);
              continue;
            }
          child.names = read_names (cfd, sorted, what, rel->str, error);
          if (child.names == NULL)
            {
              close (cfd);
              ok = FALSE;
              continue;
            }
          close (cur);
          cur = cfd;
          g_array_append_val (stack, child);
        }
      else
        {
          WalkFrame done = *f;
          g_array_set_size (stack, stack->len - 1);
          g_ptr_array_unref (done.names);
          if (stack->len == 0)
            break;
          WalkFrame *parent = &g_array_index (stack, WalkFrame, stack->len - 1);
          int up = openat (cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          struct stat ust;
          g_string_truncate (rel, done.rel_len);
          if (up < 0 || fstat (up, &ust) < 0 || ust.st_ino != parent->st.st_ino
              || ust.st_dev != parent->st.st_dev)
            {
              ok = walk_error (error, up < 0 ? errno : ESTALE, what, rel->str,
                               "return from (moved during the walk?)");
              if (up >= 0)
                close (up);
              continue;
            }
          close (cur);
          cur = up;
          const char *name = parent->names->pdata[parent->next - 1];
          ok = fn (cur, name, rel->str, &done.st, TRUE, data, error);
        }
    }
  for (guint i = 0; i < stack->len; i++)
    g_ptr_array_unref (g_array_index (stack, WalkFrame, i).names);
  return ok;
}

static gboolean
rm_entry (int dirfd, const char *name, const char *rel, const struct stat *st, gboolean post,
          gpointer data, GError **error)
{
  const char *what = data;
  if (S_ISDIR (st->st_mode) && !post)
    return TRUE;
  if (unlinkat (dirfd, name, S_ISDIR (st->st_mode) ? AT_REMOVEDIR : 0) < 0 && errno != ENOENT)
    return walk_error (error, errno, what, rel, "remove");
  return TRUE;
}

gboolean
fs_rm_rf_at (int parent, const char *name, GError **error)
{
  if (unlinkat (parent, name, 0) == 0 || errno == ENOENT)
    return TRUE;
  if (errno != EISDIR && errno != EPERM)
    return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot remove %s", name);

  autofd int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno == ENOTDIR ? EPERM : errno,
                        "cannot remove %s", name);
  if (!fs_walk (fd, name, FALSE, rm_entry, (gpointer) name, error))
    return FALSE;
  if (unlinkat (parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot remove %s", name);
  return TRUE;
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
    return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot create directory %s",
                        path);
  return TRUE;
}

static gboolean
du_entry (int dirfd, const char *name, const char *rel, const struct stat *st, gboolean post,
          gpointer data, GError **error)
{
  (void) dirfd, (void) name, (void) rel, (void) post, (void) error;
  if (S_ISREG (st->st_mode))
    *(guint64 *) data += st->st_size;
  return TRUE;
}

guint64
fs_du (const char *path)
{
  autofd int fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  guint64 total = 0;
  if (fd >= 0)
    fs_walk (fd, path, FALSE, du_entry, &total, NULL);
  return total;
}

gboolean
fs_is_mount_point (const char *path)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  if (!g_file_get_contents ("/proc/self/mountinfo", &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      /* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... */
      g_auto (GStrv) f = g_strsplit (*l, " ", 6);
      if (f[0] && f[1] && f[2] && f[3] && f[4])
        {
          g_autofree char *mp = g_strcompress (f[4]); /* \040 for spaces */
          if (g_str_equal (mp, path))
            return TRUE;
        }
    }
  return FALSE;
}
