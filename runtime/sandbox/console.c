/* SPDX-License-Identifier: Apache-2.0 */
/* -t: the container's terminal. The pty comes from the container's own
 * devpts instance (as crun's console socket does it), so the process sees
 * a /dev/pts/0 of its own; podunit holds the master and relays it to the
 * user's terminal, which it puts in raw mode meanwhile. */
#include "fdio.h"
#include "sandbox/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
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

static void
copy_winsize (int from, int to)
{
  struct winsize ws;
  if (ioctl (from, TIOCGWINSZ, &ws) == 0)
    ioctl (to, TIOCSWINSZ, &ws);
}

int
console_relay (int master, pid_t pid, gboolean input)
{
  static const int forwarded[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2 };
  struct termios saved, raw;
  gboolean restore = FALSE, in_open = input, master_open = TRUE;
  sigset_t set, old;
  autofd int sfd = -1;
  int status = 0;
  gboolean exited = FALSE;
  char buf[16384];

  if (isatty (0) && tcgetattr (0, &saved) == 0)
    {
      raw = saved;
      cfmakeraw (&raw);
      restore = input && tcsetattr (0, TCSANOW, &raw) == 0;
      copy_winsize (0, master);
    }
  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  sigaddset (&set, SIGWINCH);
  for (gsize i = 0; i < G_N_ELEMENTS (forwarded); i++)
    sigaddset (&set, forwarded[i]);
  sigprocmask (SIG_BLOCK, &set, &old);
  sfd = signalfd (-1, &set, SFD_CLOEXEC);

  /* It may have exited before SIGCHLD was blocked: look once now. */
  exited = waitpid (pid, &status, WNOHANG) == pid;
  for (;;)
    {
      struct pollfd p[3] = { { .fd = sfd, .events = POLLIN },
                             { .fd = master_open ? master : -1, .events = POLLIN },
                             { .fd = in_open ? 0 : -1, .events = POLLIN } };
      ssize_t n;
      int ready = poll (p, 3, exited ? 0 : -1);
      if (ready < 0 && errno != EINTR)
        break;
      if (exited && (ready == 0 || !master_open))
        break; /* gone, and its output drained */
      if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
        {
          n = read (master, buf, sizeof buf);
          if (n > 0 && fd_write_all (1, buf, (size_t) n) == 0)
            continue; /* drain before looking at anything else */
          if (n <= 0 && errno != EINTR && errno != EAGAIN)
            {
              /* Every holder of the terminal closed it (EIO). */
              master_open = FALSE;
              if (!exited)
                exited = waitpid (pid, &status, WNOHANG) == pid;
            }
        }
      if (p[2].revents & (POLLIN | POLLHUP))
        {
          n = read (0, buf, sizeof buf);
          if (n <= 0)
            in_open = FALSE;
          else
            (void) fd_write_all (master, buf, (size_t) n);
        }
      if (p[0].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          if (read (sfd, &si, sizeof si) != sizeof si)
            continue;
          if (si.ssi_signo == SIGWINCH)
            copy_winsize (0, master);
          else if (si.ssi_signo != SIGCHLD)
            kill (pid, si.ssi_signo);
          else if (!exited && waitpid (pid, &status, WNOHANG) == pid)
            exited = TRUE;
        }
    }
  if (!exited)
    waitpid (pid, &status, 0);
  if (restore)
    tcsetattr (0, TCSANOW, &saved);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}
