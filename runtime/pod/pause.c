/* SPDX-License-Identifier: Apache-2.0 */
/* podunit-pause: a pod's infra process (podman runs catatonit -P there).
 * It is pid 1 of the infra's pid namespace and only holds the pod's
 * network, UTS and IPC namespaces for the members to join: it starts no
 * child, reaps whatever is reparented to it, and exits 0 on SIGTERM,
 * SIGINT or SIGHUP. Signals arrive through a signalfd: pid 1 of a pid
 * namespace gets no signal it neither handles nor blocks. libc only. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  sigset_t set;
  int fd;

  (void) argv;
  if (argc != 1)
    {
      fputs ("podunit-pause (internal program of podunit): takes no arguments\n", stderr);
      return 2;
    }
  sigfillset (&set);
  sigdelset (&set, SIGSEGV);
  sigdelset (&set, SIGBUS);
  sigdelset (&set, SIGFPE);
  sigdelset (&set, SIGILL);
  if (sigprocmask (SIG_BLOCK, &set, NULL) < 0 || (fd = signalfd (-1, &set, SFD_CLOEXEC)) < 0)
    {
      fprintf (stderr, "podunit-pause: signalfd: %s\n", strerror (errno));
      return 1;
    }
  for (;;)
    {
      struct signalfd_siginfo si;
      ssize_t n = read (fd, &si, sizeof si);
      if (n < 0 && errno == EINTR)
        continue;
      if (n != (ssize_t) sizeof si)
        return 1;
      if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT || si.ssi_signo == SIGHUP)
        return 0;
      if (si.ssi_signo == SIGCHLD)
        while (waitpid (-1, NULL, WNOHANG) > 0)
          ;
    }
}
