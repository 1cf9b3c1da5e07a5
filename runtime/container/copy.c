/* SPDX-License-Identifier: Apache-2.0 */
/* Host files into a stopped container's root file system (copy.h). */
#include "container/copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/user.h"
#include "error.h"
#include "fdio.h"

#define COPY_ERROR (g_quark_from_static_string ("container-copy-error"))

typedef struct {
  uid_t uid;
  gid_t gid;
  int chmod;
} Owner;

static gboolean
copy_fail (GError **error, int errsv, const char *what, const char *path)
{
  return errno_error (error, COPY_ERROR, 0, errsv, "%s %s", what, path);
}

static gboolean
set_attrs (int fd, const struct stat *st, const Owner *o, const char *path, GError **error)
{
  struct timespec times[2] = { st->st_atim, st->st_mtim };
  mode_t mode = o->chmod >= 0 ? (mode_t) o->chmod : st->st_mode & 07777;
  if (fchown (fd, o->uid, o->gid) < 0 || fchmod (fd, mode) < 0 || futimens (fd, times) < 0)
    return copy_fail (error, errno, "setting owner, mode and time of", path);
  return TRUE;
}

/* A non-directory in the way of @name goes (COPY overwrites). */
static void
remove_nondir (int dirfd, const char *name)
{
  struct stat st;
  if (fstatat (dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR (st.st_mode))
    unlinkat (dirfd, name, 0);
}

/* Regular file @s (stat @st) as @dname in @ddir. */
static gboolean
copy_file (int s, const struct stat *st, int ddir, const char *dname, const Owner *o,
           const char *path, GError **error)
{
  autofd int d = -1;
  remove_nondir (ddir, dname);
  d = openat (ddir, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (d < 0)
    return copy_fail (error, errno, "creating", path);
  for (;;)
    {
      char buf[65536];
      ssize_t n = copy_file_range (s, NULL, d, NULL, 1 << 30, 0);
      if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP))
        {
          n = read (s, buf, sizeof buf);
          if (n > 0 && fd_write_all (d, buf, n) < 0)
            n = -1;
        }
      if (n == 0)
        break;
      if (n < 0 && errno != EINTR)
        return copy_fail (error, errno, "copying", path);
    }
  return set_attrs (d, st, o, path, error);
}

static gboolean copy_dir_contents (int src, int dst, const Owner *o, const char *path,
                                   GError **error);

/* Source entry @sname of @sdir (already fstat'ed into @st) as @dname in @ddir. */
static gboolean
copy_entry (int sdir, const char *sname, const struct stat *st, int ddir, const char *dname,
            const Owner *o, const char *path, GError **error)
{
  if (S_ISDIR (st->st_mode))
    {
      autofd int s = -1, d = -1;
      remove_nondir (ddir, dname);
      if (mkdirat (ddir, dname, 0700) < 0 && errno != EEXIST)
        return copy_fail (error, errno, "creating", path);
      s = openat (sdir, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      d = openat (ddir, dname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (s < 0 || d < 0)
        return copy_fail (error, errno, "opening", path);
      return copy_dir_contents (s, d, o, path, error) && set_attrs (d, st, o, path, error);
    }
  if (S_ISLNK (st->st_mode))
    {
      char target[4096];
      ssize_t n = readlinkat (sdir, sname, target, sizeof target - 1);
      if (n < 0)
        return copy_fail (error, errno, "reading the link", path);
      target[n] = '\0';
      remove_nondir (ddir, dname);
      if (symlinkat (target, ddir, dname) < 0
          || fchownat (ddir, dname, o->uid, o->gid, AT_SYMLINK_NOFOLLOW) < 0)
        return copy_fail (error, errno, "creating the link", path);
      return TRUE;
    }
  if (S_ISREG (st->st_mode))
    {
      autofd int s = openat (sdir, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (s < 0)
        return copy_fail (error, errno, "opening", path);
      return copy_file (s, st, ddir, dname, o, path, error);
    }
  if (S_ISFIFO (st->st_mode))
    {
      remove_nondir (ddir, dname);
      if (mkfifoat (ddir, dname, st->st_mode & 07777) < 0
          || fchownat (ddir, dname, o->uid, o->gid, AT_SYMLINK_NOFOLLOW) < 0)
        return copy_fail (error, errno, "creating", path);
      return TRUE;
    }
  return TRUE; /* sockets and devices are not copied, as Docker's */
}

static gboolean
copy_dir_contents (int src, int dst, const Owner *o, const char *path, GError **error)
{
  autofd int dup = fcntl (src, F_DUPFD_CLOEXEC, 3);
  DIR *dir = dup >= 0 ? fdopendir (dup) : NULL;
  struct dirent *e;
  gboolean ok = TRUE;
  if (!dir)
    return copy_fail (error, errno, "reading", path);
  dup = -1; /* the DIR owns it */
  while (ok && (e = readdir (dir)))
    {
      struct stat st;
      g_autofree char *sub = NULL;
      if (g_str_equal (e->d_name, ".") || g_str_equal (e->d_name, ".."))
        continue;
      sub = g_build_filename (path, e->d_name, NULL);
      if (fstatat (src, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        ok = copy_fail (error, errno, "reading", sub);
      else
        ok = copy_entry (src, e->d_name, &st, dst, e->d_name, o, sub, error);
    }
  closedir (dir);
  return ok;
}

/* Opens (creating as root, 0755, when missing) directory @path of the
 * current root; -1 with @error. */
static int
mkdir_p (const char *path, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  autofd int fd = open ("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  for (char **p = parts; fd >= 0 && *p; p++)
    {
      int next;
      if (!**p || g_str_equal (*p, "."))
        continue;
      if (mkdirat (fd, *p, 0755) < 0 && errno != EEXIST)
        {
          copy_fail (error, errno, "creating", path);
          return -1;
        }
      next = openat (fd, *p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      close (fd);
      fd = next;
    }
  if (fd < 0)
    copy_fail (error, errno, "opening", path);
  return fd_steal (&fd);
}

static int
open_source (int ctx, const char *rel, int flags)
{
  struct open_how how = { .flags = flags | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
  return syscall (SYS_openat2, ctx, *rel ? rel : ".", &how, sizeof how);
}

/* The child: in the container's root, copy. */
static gboolean
copy_in_root (int ctx, const CopyRequest *r, GError **error)
{
  Owner o = { 0, 0, r->chmod };

  if (r->chown && !container_user_resolve (r->chown, "/", &o.uid, &o.gid, NULL, error))
    return FALSE;
  if (r->mkdir_only)
    {
      autofd int fd = mkdir_p (r->dest, error);
      return fd >= 0;
    }
  for (char **s = r->sources; *s; s++)
    {
      /* a symlink named as a source is followed (inside the context) */
      autofd int src = open_source (ctx, *s, O_RDONLY);
      autofd int into = -1;
      g_autofree char *base = NULL, *path = NULL;
      struct stat st, dst;
      if (src < 0 || fstat (src, &st) < 0)
        return copy_fail (error, errno, "reading the build context's", *s);
      if (S_ISDIR (st.st_mode))
        {
          into = mkdir_p (r->dest, error);
          if (into < 0 || !copy_dir_contents (src, into, &o, r->dest, error))
            return FALSE;
          continue;
        }
      if (!S_ISREG (st.st_mode))
        return gerror_set (error, COPY_ERROR, 0, "%s: not a file or directory", *s);
      if (r->dest_is_dir || (stat (r->dest, &dst) == 0 && S_ISDIR (dst.st_mode)))
        {
          base = g_path_get_basename (*s);
          into = mkdir_p (r->dest, error);
          path = g_build_filename (r->dest, base, NULL);
        }
      else
        {
          g_autofree char *parent = g_path_get_dirname (r->dest);
          base = g_path_get_basename (r->dest);
          into = mkdir_p (parent, error);
          path = g_strdup (r->dest);
        }
      if (into < 0 || !copy_file (src, &st, into, base, &o, path, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
container_copy_in (const char *root, const char *runroot, const ContainerConfig *c,
                   const char *context, const CopyRequest *r, GError **error)
{
  g_autofree char *cdir = container_dir (root, c->id);
  g_autofree char *rundir = container_run_dir (runroot, c->id);
  g_autofree char *upper = g_build_filename (cdir, "upper", NULL);
  g_autofree char *work = g_build_filename (cdir, "work", NULL);
  g_autofree char *merged = g_build_filename (rundir, "copy", NULL);
  g_autofree char *options = NULL;
  autofd int ctx = -1;
  int pipefd[2];
  pid_t pid;
  int status;
  char msg[1024];
  ssize_t n;

  if (context && (ctx = open (context, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
    return copy_fail (error, errno, "opening the build context", context);
  if (c->layer_dirs && *c->layer_dirs)
    {
      g_autoptr (GString) lowers = g_string_new (NULL);
      for (guint i = g_strv_length (c->layer_dirs); i > 0; i--)
        g_string_append_printf (lowers, "%s%s", lowers->len ? ":" : "", c->layer_dirs[i - 1]);
      options = g_strdup_printf ("lowerdir=%s,upperdir=%s,workdir=%s", lowers->str, upper, work);
      if (g_mkdir_with_parents (merged, 0700) < 0)
        return copy_fail (error, errno, "creating", merged);
    }
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return copy_fail (error, errno, "creating", "a pipe");
  pid = fork ();
  if (pid < 0)
    return copy_fail (error, errno, "forking", "a copier");
  if (pid == 0)
    {
      g_autoptr (GError) e = NULL;
      const char *top = options ? merged : upper;
      close (pipefd[0]);
      if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        copy_fail (&e, errno, "making a private mount namespace for", "the copy");
      else if (options && mount ("overlay", merged, "overlay", 0, options) < 0)
        copy_fail (&e, errno, "mounting the container's root file system at", merged);
      else if (chroot (top) < 0 || chdir ("/") < 0)
        copy_fail (&e, errno, "entering", top);
      else
        copy_in_root (ctx, r, &e);
      if (e)
        {
          (void) !write (pipefd[1], e->message, strlen (e->message));
          _exit (1);
        }
      _exit (0);
    }
  close (pipefd[1]);
  do
    n = read (pipefd[0], msg, sizeof msg - 1);
  while (n < 0 && errno == EINTR);
  close (pipefd[0]);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (n > 0)
    {
      msg[n] = '\0';
      g_set_error_literal (error, COPY_ERROR, 0, msg);
      return FALSE;
    }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    {
      g_set_error (error, COPY_ERROR, 0, "the copy into the container failed");
      return FALSE;
    }
  return TRUE;
}
