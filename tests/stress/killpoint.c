/* SPDX-License-Identifier: Apache-2.0 */
/* LD_PRELOAD shim for tests/stress: SIGKILLs the process it is loaded
 * into at its Nth file-system change (PODUNIT_KILLPOINT=N), so a trial
 * can kill `podunit load` & co at every step in turn instead of at a
 * random time. Counted: the calls that create, rename or remove (mkdir,
 * open with O_CREAT, rename, unlink, rmdir, link, symlink, mknod, fsync,
 * syncfs), before they happen: point N leaves steps 1..N-1 done. With
 * PODUNIT_KILLPOINT_COUNT=FILE the number reached so far is kept in FILE
 * (N=0 counts without killing). Only the process that loaded it counts
 * (its forks have another pid), unless PODUNIT_KILLPOINT_FORKS is set:
 * then a fork goes on counting from where its parent was, and dies at N
 * too (a crash of `run -d`'s starting child). The variables are removed
 * from the environment, so what it executes (the supervisor) runs
 * without them. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static long target = -1, count;
static pid_t owner; /* 0: its forks count too (PODUNIT_KILLPOINT_FORKS) */
static int report = -1;

__attribute__ ((constructor)) static void
init (void)
{
  const char *t = getenv ("PODUNIT_KILLPOINT");
  const char *r = getenv ("PODUNIT_KILLPOINT_COUNT");
  if (!t)
    return;
  target = atol (t);
  owner = getenv ("PODUNIT_KILLPOINT_FORKS") ? 0 : getpid ();
  if (r)
    report = (int) syscall (SYS_openat, AT_FDCWD, r, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
                            0644);
  unsetenv ("PODUNIT_KILLPOINT");
  unsetenv ("PODUNIT_KILLPOINT_COUNT");
  unsetenv ("PODUNIT_KILLPOINT_FORKS");
  unsetenv ("LD_PRELOAD");
}

static void
point (void)
{
  char buf[32];
  int n;
  if (target < 0 || (owner && getpid () != owner))
    return;
  count++;
  if (report >= 0)
    {
      n = snprintf (buf, sizeof buf, "%-20ld\n", count);
      if (pwrite (report, buf, n, 0) < 0)
        report = -1;
    }
  if (count == target)
    kill (getpid (), SIGKILL);
}

#define REAL(name) ((__typeof__ (&name)) dlsym (RTLD_NEXT, #name))

#define WRAP(ret, name, params, args)                                                         \
  ret name params                                                                             \
  {                                                                                           \
    static __typeof__ (&name) real;                                                           \
    if (!real)                                                                                \
      real = REAL (name);                                                                     \
    point ();                                                                                 \
    return real args;                                                                         \
  }

WRAP (int, mkdir, (const char *p, mode_t m), (p, m))
WRAP (int, mkdirat, (int d, const char *p, mode_t m), (d, p, m))
WRAP (int, rename, (const char *a, const char *b), (a, b))
WRAP (int, renameat, (int da, const char *a, int db, const char *b), (da, a, db, b))
WRAP (int, renameat2, (int da, const char *a, int db, const char *b, unsigned f), (da, a, db, b, f))
WRAP (int, unlink, (const char *p), (p))
WRAP (int, unlinkat, (int d, const char *p, int f), (d, p, f))
WRAP (int, rmdir, (const char *p), (p))
WRAP (int, link, (const char *a, const char *b), (a, b))
WRAP (int, linkat, (int da, const char *a, int db, const char *b, int f), (da, a, db, b, f))
WRAP (int, symlink, (const char *a, const char *b), (a, b))
WRAP (int, symlinkat, (const char *a, int d, const char *b), (a, d, b))
WRAP (int, mknodat, (int d, const char *p, mode_t m, dev_t v), (d, p, m, v))
WRAP (int, fsync, (int fd), (fd))
WRAP (int, syncfs, (int fd), (fd))

#define WRAP_OPEN(name, params, args, flags)                                                  \
  int name params                                                                             \
  {                                                                                           \
    static int (*real) ();                                                                    \
    mode_t mode = 0;                                                                          \
    if (!real)                                                                                \
      real = (int (*) ()) dlsym (RTLD_NEXT, #name);                                          \
    if ((flags) & (O_CREAT | __O_TMPFILE))                                                   \
      {                                                                                       \
        va_list ap;                                                                           \
        va_start (ap, flags);                                                                 \
        mode = va_arg (ap, mode_t);                                                           \
        va_end (ap);                                                                          \
        point ();                                                                             \
      }                                                                                       \
    return real args;                                                                         \
  }

WRAP_OPEN (open, (const char *p, int flags, ...), (p, flags, mode), flags)
WRAP_OPEN (open64, (const char *p, int flags, ...), (p, flags, mode), flags)
WRAP_OPEN (openat, (int d, const char *p, int flags, ...), (d, p, flags, mode), flags)
WRAP_OPEN (openat64, (int d, const char *p, int flags, ...), (d, p, flags, mode), flags)
