/* SPDX-License-Identifier: Apache-2.0 */
/* Namespace plumbing shared by run and exec: user-namespace maps written
 * by the parent, joining a running container, the loopback interface. */
#include "sandbox/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "fdio.h"

static gboolean
write_proc (pid_t pid, const char *file, const char *text, GError **error)
{
  char path[64];
  autofd int fd = -1;
  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, file);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, text, strlen (text)) < 0)
    return errno_error (error, SPAWN_ERROR, 125, errno, "writing %s", path);
  return TRUE;
}

gboolean
namespaces_write_maps (pid_t pid, const char *uid_map, const char *gid_map, GError **error)
{
  return write_proc (pid, "uid_map", uid_map, error) && write_proc (pid, "gid_map", gid_map, error);
}

gboolean
namespaces_join (pid_t pid, GError **error)
{
  /* The user namespace last: a container's own one is made after its
   * other namespaces (spawn.h), which belong to ours, where podunit has
   * the rights to join them. */
  static const struct { const char *name; int type; } nss[] = {
    { "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS }, { "net", CLONE_NEWNET },
    { "pid", CLONE_NEWPID }, { "cgroup", CLONE_NEWCGROUP }, { "mnt", CLONE_NEWNS },
    { "user", CLONE_NEWUSER },
  };
  int fds[G_N_ELEMENTS (nss)];
  for (gsize i = 0; i < G_N_ELEMENTS (nss); i++)
    {
      char path[64], self[64];
      struct stat a, b;
      snprintf (path, sizeof path, "/proc/%d/ns/%s", (int) pid, nss[i].name);
      snprintf (self, sizeof self, "/proc/self/ns/%s", nss[i].name);
      fds[i] = -1;
      if (stat (path, &a) < 0)
        {
          errno_error (error, SPAWN_ERROR, 125, errno, "container process %d: %s", (int) pid, path);
          goto fail;
        }
      if (stat (self, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev)
        continue; /* shared with the host (e.g. --network host) */
      fds[i] = open (path, O_RDONLY | O_CLOEXEC);
      if (fds[i] < 0)
        {
          errno_error (error, SPAWN_ERROR, 125, errno, "opening %s", path);
          goto fail;
        }
    }
  for (gsize i = 0; i < G_N_ELEMENTS (nss); i++)
    if (fds[i] >= 0)
      {
        if (setns (fds[i], nss[i].type) < 0)
          {
            errno_error (error, SPAWN_ERROR, 125, errno, "joining the %s namespace of %d",
                         nss[i].name, (int) pid);
            goto fail;
          }
        close (fds[i]);
        fds[i] = -1;
      }
  return TRUE;
fail:
  for (gsize i = 0; i < G_N_ELEMENTS (nss); i++)
    if (fds[i] >= 0)
      close (fds[i]);
  return FALSE;
}

gboolean
namespaces_loopback_up (GError **error)
{
  struct ifreq ifr = { 0 };
  autofd int s = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0)
    return errno_error (error, SPAWN_ERROR, 125, errno, "socket");
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (s, SIOCGIFFLAGS, &ifr) < 0
      || (ifr.ifr_flags |= IFF_UP | IFF_RUNNING, ioctl (s, SIOCSIFFLAGS, &ifr) < 0))
    return errno_error (error, SPAWN_ERROR, 125, errno, "bringing up lo");
  return TRUE;
}
