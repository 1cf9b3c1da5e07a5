/* SPDX-License-Identifier: Apache-2.0 */
/* File-descriptor helpers shared by the generator, the runtime and the
 * supervisor. libc only (no glib), so the supervisor stays tiny. */
#pragma once

#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

static inline void
fd_closep (int *fd)
{
  if (*fd >= 0)
    close (*fd);
}

/* `autofd int fd = -1;` is closed when it goes out of scope (glib's
 * g_autofd needs 2.76; RHEL 9 has 2.68). Hand it on with fd_steal(). */
#define autofd __attribute__ ((cleanup (fd_closep)))

/* Returns *@fd and leaves -1 in its place (ownership moves to the caller). */
static inline int
fd_steal (int *fd)
{
  int r = *fd;
  *fd = -1;
  return r;
}

/* Writes all @len bytes of @buf to @fd, retrying on EINTR and short
 * writes. Returns 0, or -1 with errno set (EIO when write() returned 0). */
int fd_write_all (int fd, const void *buf, size_t len);

/* write_file_atomic() flags. */
enum
{
  /* fsync the file before the rename and its directory after it: for
   * records that must survive a crash, not for files rebuilt at boot. */
  WRITE_DURABLE = 1 << 0,
  /* @name is usually new (a generator's fresh output directory): the
   * file is created unnamed (O_TMPFILE) and linked in with
   * linkat(AT_EMPTY_PATH): one update of the directory instead of two
   * (a create and a rename), and no temporary name in it. When @name
   * exists, or the kernel refuses (no O_TMPFILE on the file system;
   * AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH on older kernels, RHEL 9's
   * among them), the file is written the usual way; after a refusal,
   * always, for the rest of the process. The file gets @mode minus the
   * umask (no fchmod): the caller sets the umask it wants. Not with
   * WRITE_DURABLE (then: the usual way). */
  WRITE_NEW_NAME = 1 << 1,
};

/* Replaces @name (relative to @dirfd, or a path with AT_FDCWD) with @len
 * bytes of @data, atomically for readers: the bytes go to a new temporary
 * file beside it (".NAME.tmp-PID-N", created with O_EXCL), which is then
 * renamed over @name; readers see the old file or the whole new one. The
 * file gets exactly @mode (the umask does not apply, unless
 * WRITE_NEW_NAME). Returns 0, or -1 with errno set and the temporary
 * removed. */
int write_file_atomic (int dirfd, const char *name, const void *data, size_t len, mode_t mode,
                       int flags);
