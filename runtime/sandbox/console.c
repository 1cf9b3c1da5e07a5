/* SPDX-License-Identifier: Apache-2.0 */
/* -t: the container's terminal. The pty comes from the container's own
 * devpts instance (as crun's console socket does it), so the process sees
 * a /dev/pts/0 of its own; podunit holds the master and relays it to the
 * user's terminal, which it puts in raw mode meanwhile (relay.c). */
#include "fdio.h"
#include "sandbox/spawn.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

gboolean
console_child_setup (int sync_fd)
{
  int master, slave, unlock = 0;
  char tag = 't';
  struct iovec iov = { .iov_base = &tag, .iov_len = 1 };
  union {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                        .msg_controllen = sizeof u.buf };
  struct cmsghdr *c;

  master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return FALSE;
  slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0)
    return FALSE;
  c = CMSG_FIRSTHDR (&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &master, sizeof (int));
  if (sendmsg (sync_fd, &msg, 0) < 0)
    return FALSE;
  close (master);
  setsid (); /* fails harmlessly when we already lead a session */
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return FALSE;
  for (int i = 0; i < 3; i++)
    if (dup2 (slave, i) < 0)
      return FALSE;
  if (slave > 2)
    close (slave);
  return TRUE;
}
