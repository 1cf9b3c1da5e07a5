/* SPDX-License-Identifier: Apache-2.0 */
/* systemd's notify and journal datagram protocols with libc only; see
 * sdwire.h for why. */
#include "systemd/sdwire.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* The keys a payload may send on (see sdwire_notify_filter). MAINPID in
 * particular would name a pid of the container's pid namespace. */
static const char *const relayed_keys[] = {
  "READY", "STATUS", "RELOADING", "STOPPING", "WATCHDOG", "ERRNO", "MONOTONIC_USEC", NULL,
};

/* Fills @sa for @path; returns the address length or 0 when unusable. A
 * leading '@' names an abstract socket, as in systemd. */
static socklen_t
socket_address (const char *path, struct sockaddr_un *sa)
{
  size_t len = strlen (path);
  memset (sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  if (len == 0 || len >= sizeof sa->sun_path)
    return 0;
  memcpy (sa->sun_path, path, len);
  if (path[0] == '@')
    {
      sa->sun_path[0] = '\0';
      return offsetof (struct sockaddr_un, sun_path) + len;
    }
  return offsetof (struct sockaddr_un, sun_path) + len + 1;
}

int
sdwire_notify_send (const char *path, const char *msg, size_t len)
{
  struct sockaddr_un sa;
  socklen_t salen = socket_address (path, &sa);
  int fd, r = 0;

  if (!salen)
    return -ENAMETOOLONG;
  fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -errno;
  if (sendto (fd, msg, len, MSG_NOSIGNAL, (struct sockaddr *) &sa, salen) < 0)
    r = -errno;
  close (fd);
  return r;
}

static int
relayed (const char *line, size_t len)
{
  const char *eq = memchr (line, '=', len);
  if (!eq)
    return 0;
  for (const char *const *k = relayed_keys; *k; k++)
    if ((size_t) (eq - line) == strlen (*k) && memcmp (line, *k, eq - line) == 0)
      return 1;
  return 0;
}

size_t
sdwire_notify_filter (const char *msg, size_t len, char *out, size_t out_size)
{
  size_t o = 0;
  const char *p = msg, *end = msg + len;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      size_t l = (nl ? nl : end) - p;
      if (l > 0 && relayed (p, l) && !memchr (p, '\0', l))
        {
          size_t need = l + (o ? 1 : 0);
          if (o + need >= out_size)
            break;
          if (o)
            out[o++] = '\n';
          memcpy (out + o, p, l);
          o += l;
        }
      p += l + 1;
    }
  if (o < out_size)
    out[o] = '\0';
  return o;
}

int
sdwire_journal_open (void)
{
  int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  return fd < 0 ? -errno : fd;
}

int
sdwire_journal_send (int fd, const char *path, const struct iovec *fields, int n)
{
  /* Each field becomes up to five pieces: key, newline, length, value, newline. */
  struct iovec iov[5 * 16];
  uint64_t lens[16];
  struct sockaddr_un sa;
  struct msghdr mh = { 0 };
  socklen_t salen = socket_address (path ? path : SDWIRE_JOURNAL_SOCKET, &sa);
  int k = 0;

  if (n > 16)
    return -E2BIG;
  if (!salen)
    return -ENAMETOOLONG;
  for (int i = 0; i < n; i++)
    {
      const char *f = fields[i].iov_base;
      size_t flen = fields[i].iov_len;
      const char *eq = memchr (f, '=', flen);
      if (!eq || eq == f)
        return -EINVAL;
      if (!memchr (eq + 1, '\n', flen - (eq + 1 - f)))
        {
          iov[k++] = fields[i];
          iov[k++] = (struct iovec){ "\n", 1 };
          continue;
        }
      /* Binary-safe form for a value holding a newline. */
      uint64_t vlen = flen - (eq + 1 - f);
      for (int b = 0; b < 8; b++)
        ((unsigned char *) &lens[i])[b] = (unsigned char) (vlen >> (8 * b));
      iov[k++] = (struct iovec){ (void *) f, eq - f };
      iov[k++] = (struct iovec){ "\n", 1 };
      iov[k++] = (struct iovec){ &lens[i], 8 };
      iov[k++] = (struct iovec){ (void *) (eq + 1), vlen };
      iov[k++] = (struct iovec){ "\n", 1 };
    }
  mh.msg_name = &sa;
  mh.msg_namelen = salen;
  mh.msg_iov = iov;
  mh.msg_iovlen = k;
  if (sendmsg (fd, &mh, MSG_NOSIGNAL) < 0)
    return -errno;
  return 0;
}
