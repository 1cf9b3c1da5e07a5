/* SPDX-License-Identifier: Apache-2.0 */
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int
fd_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      if (n == 0)
        {
          errno = EIO;
          return -1;
        }
      p += n;
      len -= (size_t) n;
    }
  return 0;
}

/* fsyncs the directory that holds @name (relative to @dirfd). */
static int
fsync_parent (int dirfd, const char *name)
{
  const char *slash = strrchr (name, '/');
  char parent[4096];
  autofd int fd = -1;

  if (slash == NULL)
    snprintf (parent, sizeof parent, ".");
  else if (slash == name)
    snprintf (parent, sizeof parent, "/");
  else if ((size_t) (slash - name) < sizeof parent)
    snprintf (parent, sizeof parent, "%.*s", (int) (slash - name), name);
  else
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  fd = openat (dirfd, parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return fd < 0 ? -1 : fsync (fd);
}

/* Set when an unnamed file or its link failed other than for an
 * existing name (WRITE_NEW_NAME): no use trying again. */
static int unnamed_refused;

/* WRITE_NEW_NAME's way: 0, or -1 with errno set (EEXIST: @name exists). */
static int
write_unnamed (int dirfd, const char *name, int dirlen, const void *data, size_t len, mode_t mode)
{
  char parent[4096];
  autofd int fd = -1;

  if (dirlen >= (int) sizeof parent)
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  snprintf (parent, sizeof parent, "%.*s", dirlen > 0 ? dirlen : 1, dirlen > 0 ? name : ".");
  fd = openat (dirfd, parent, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
  if (fd < 0 || fd_write_all (fd, data, len) < 0
      || linkat (fd, "", dirfd, name, AT_EMPTY_PATH) < 0)
    return -1;
  return close (fd_steal (&fd));
}

int
write_file_atomic (int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                   int flags)
{
  static unsigned counter;
  static int pid; /* getpid() is a system call each time */
  const char *slash = strrchr (name, '/');
  int dirlen = slash ? (int) (slash - name + 1) : 0;
  char tmp[4096];
  autofd int fd = -1;
  int e;

  if ((flags & (WRITE_NEW_NAME | WRITE_DURABLE)) == WRITE_NEW_NAME
      && !__atomic_load_n (&unnamed_refused, __ATOMIC_RELAXED))
    {
      if (write_unnamed (dirfd, name, dirlen, data, len, mode) == 0)
        return 0;
      if (errno != EEXIST)
        __atomic_store_n (&unnamed_refused, 1, __ATOMIC_RELAXED);
    }
  /* A name no other writer uses: this process's id and a counter shared
   * by its threads. O_EXCL makes sure: a leftover of a dead process, or a
   * forked child that still has its parent's id and counter, only costs
   * the next number. */
  if (pid == 0)
    pid = (int) getpid ();
  for (int attempt = 0; fd < 0 && attempt < 100; attempt++)
    {
      if ((size_t) snprintf (tmp, sizeof tmp, "%.*s.%s.tmp-%d-%u", dirlen, name, name + dirlen,
                             pid, __atomic_fetch_add (&counter, 1, __ATOMIC_RELAXED))
          >= sizeof tmp)
        {
          errno = ENAMETOOLONG;
          return -1;
        }
      fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
      if (fd < 0 && errno != EEXIST)
        return -1;
    }
  if (fd < 0)
    return -1;
  if (fd_write_all (fd, data, len) < 0
      || (!(flags & WRITE_NEW_NAME) && fchmod (fd, mode) < 0)
      || ((flags & WRITE_DURABLE) && fsync (fd) < 0) || close (fd_steal (&fd)) < 0
      || renameat (dirfd, tmp, dirfd, name) < 0)
    goto fail;
  if ((flags & WRITE_DURABLE) && fsync_parent (dirfd, name) < 0)
    return -1; /* the new file is in place; only its durability is unknown */
  return 0;

fail:
  e = errno;
  unlinkat (dirfd, tmp, 0);
  errno = e;
  return -1;
}
