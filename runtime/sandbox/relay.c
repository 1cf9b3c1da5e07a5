/* SPDX-License-Identifier: Apache-2.0 */
/* The foreground's wait (spawn.h: spawn_relay): the caller of `run`,
 * `start -a` and `exec` stays with its container, forwards the signals it
 * gets, and carries the container's output: from the output pipes or the
 * terminal's master to its own stdout and stderr, each piece also to the
 * tap (the log driver), until the container exited and its output is
 * drained. Writes that block (a slow reader) hold the container back
 * through the full pipe; nothing is dropped unless the reader went away. */
#include "fdio.h"
#include "sandbox/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void
noop_handler (int sig)
{
  (void) sig;
}

static void
copy_winsize (int from, int to)
{
  struct winsize ws;
  if (ioctl (from, TIOCGWINSZ, &ws) == 0)
    ioctl (to, TIOCSWINSZ, &ws);
}

/* All of @buf to @fd, waiting while a non-blocking @fd (a terminal shared
 * with the shell) is full. -1: the reader is gone. */
static int
write_out (int fd, const char *buf, size_t len)
{
  while (len > 0)
    {
      ssize_t n = write (fd, buf, len);
      if (n < 0 && errno == EAGAIN)
        {
          struct pollfd p = { .fd = fd, .events = POLLOUT };
          (void) poll (&p, 1, -1);
          continue;
        }
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return -1;
      buf += n;
      len -= (size_t) n;
    }
  return 0;
}

static int
exit_code (int status)
{
  return WIFEXITED (status) ? WEXITSTATUS (status)
         : WIFSIGNALED (status) ? 128 + WTERMSIG (status)
                                : EXIT_FAILURE;
}

int
spawn_relay (pid_t pid, const SpawnRelay *r)
{
  /* index 0: stdout (or the terminal), 1: stderr */
  int src[2] = { r->master >= 0 ? r->master : r->out, r->master >= 0 ? -1 : r->err };
  int dst[2] = { r->out_to, r->err_to };
  gboolean in_open = r->master >= 0 && r->input;
  gint64 deadline = r->timeout_us > 0 ? g_get_monotonic_time () + r->timeout_us : 0;
  gboolean exited, timed_out = FALSE, restore = FALSE;
  struct sigaction sa = { .sa_handler = noop_handler }, old_pipe, old_sa[G_N_ELEMENTS (spawn_forwarded_signals)];
  struct termios saved, raw;
  sigset_t set, old;
  autofd int sfd = -1;
  int status = 0;
  static char buf[65536];

  if (r->master >= 0 && isatty (0) && tcgetattr (0, &saved) == 0)
    {
      raw = saved;
      cfmakeraw (&raw);
      restore = r->input && tcsetattr (0, TCSANOW, &raw) == 0;
      copy_winsize (0, r->master);
    }
  /* A signal the caller ignores would be discarded, not queued: a no-op
   * handler makes every forwarded one deliverable to the signalfd. */
  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  for (gsize i = 0; i < G_N_ELEMENTS (spawn_forwarded_signals); i++)
    {
      sigaddset (&set, spawn_forwarded_signals[i]);
      sigaction (spawn_forwarded_signals[i], &sa, &old_sa[i]);
    }
  sigprocmask (SIG_BLOCK, &set, &old);
  sfd = signalfd (-1, &set, SFD_CLOEXEC);
  /* a reader that went away ends our writes to it, not this process */
  sigaction (SIGPIPE, &(struct sigaction){ .sa_handler = SIG_IGN }, &old_pipe);

  /* It may have exited before SIGCHLD was blocked: look once now. */
  exited = waitpid (pid, &status, WNOHANG) == pid;
  for (;;)
    {
      struct pollfd p[4] = { { .fd = sfd, .events = POLLIN },
                             { .fd = src[0], .events = POLLIN },
                             { .fd = src[1], .events = POLLIN },
                             { .fd = in_open ? 0 : -1, .events = POLLIN } };
      int timeout = -1, ready;

      if (exited && src[0] < 0 && src[1] < 0)
        break;
      if (exited)
        timeout = 0; /* what is still buffered, then done (the pid namespace is gone) */
      else if (deadline && !timed_out)
        {
          gint64 left = deadline - g_get_monotonic_time ();
          if (left <= 0)
            {
              timed_out = TRUE;
              kill (pid, SIGKILL);
            }
          else
            timeout = (int) (left / 1000 + 1);
        }
      ready = poll (p, 4, timeout);
      if (ready < 0 && errno != EINTR)
        break;
      if (exited && ready == 0)
        break;
      for (int i = 0; i < 2; i++)
        if (src[i] >= 0 && (p[1 + i].revents & (POLLIN | POLLHUP | POLLERR)))
          {
            ssize_t n = read (src[i], buf, sizeof buf);
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
              continue;
            if (n <= 0)
              {
                /* EOF, or EIO: every holder of the terminal closed it */
                src[i] = -1;
                continue;
              }
            if (r->tap)
              r->tap (i + 1, buf, (size_t) n, r->tap_data);
            if (dst[i] >= 0 && write_out (dst[i], buf, (size_t) n) < 0)
              dst[i] = -1;
          }
      if (p[3].revents & (POLLIN | POLLHUP))
        {
          ssize_t n = read (0, buf, sizeof buf);
          if (n <= 0)
            in_open = FALSE;
          else
            (void) fd_write_all (r->master, buf, (size_t) n);
        }
      if (p[0].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          if (read (sfd, &si, sizeof si) != sizeof si)
            continue;
          if (si.ssi_signo == SIGWINCH && r->master >= 0)
            copy_winsize (0, r->master);
          else if (si.ssi_signo != SIGCHLD)
            kill (pid, (int) si.ssi_signo);
        }
      if (!exited)
        exited = waitpid (pid, &status, WNOHANG) == pid;
    }
  if (!exited)
    waitpid (pid, &status, 0);
  if (restore)
    tcsetattr (0, TCSANOW, &saved);
  sigaction (SIGPIPE, &old_pipe, NULL);
  sigprocmask (SIG_SETMASK, &old, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (spawn_forwarded_signals); i++)
    sigaction (spawn_forwarded_signals[i], &old_sa[i], NULL);
  return timed_out ? SPAWN_TIMED_OUT : exit_code (status);
}
