/* SPDX-License-Identifier: Apache-2.0 */
/* bench/network's probe of network setup alone: the time of net_attach
 * (runtime/net/attach.h, the code `podunit run` calls once the container's
 * namespaces exist) and net_detach, for a process in a new network
 * namespace published on one port of the default network. Each round
 * attaches a first container A (the bridge's elements and its port; the
 * first round also writes table inet podunit, which then stays), a second
 * one B beside it (the common case: its port only), then detaches B and
 * A (which empties the sets).
 * Between steps it sleeps, as a real start is never right after a
 * removal: a removal leaves a release for the kernel to do after an RCU
 * grace period (runtime/net/firewall.h). A detach's time is the time it
 * holds the networks lock: the wait for that release falls to the
 * closing of the process's nftables socket, by its exit or exec, which
 * this probe never does.
 *
 * Usage: net-setup ROOT RUNROOT ROUNDS [NETWORK]   (root, in a throwaway
 * netns; NETWORK: a network of ROOT instead of the default one, e.g. a
 * dual-stack one made by `podunit network create --ipv6`) */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/attach.h"

#define GAP_US 30000

static int
cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
median (double *v, int n)
{
  qsort (v, n, sizeof *v, cmp);
  return v[n / 2];
}

/* A child in its own network namespace, waiting to be killed. */
static pid_t
sandbox (void)
{
  int p[2];
  char c;
  pid_t pid;
  if (pipe (p) < 0)
    exit (1);
  pid = fork ();
  if (pid == 0)
    {
      close (p[0]);
      if (unshare (CLONE_NEWNET) < 0)
        _exit (1);
      close (p[1]); /* in its namespace now */
      pause ();
      _exit (0);
    }
  close (p[1]);
  if (pid < 0 || read (p[0], &c, 1) != 0)
    exit (1);
  close (p[0]);
  return pid;
}

static char *network = "podunit";

static double
attach (const char *root, const char *runroot, const char *id, int port, pid_t pid)
{
  char spec_port[64];
  char *nets[] = { network, NULL }, *ports[] = { spec_port, NULL };
  NetAttachSpec s = { .id = id, .name = id, .networks = nets, .ports = ports };
  NetAttachResult r;
  GError *error = NULL;
  gint64 t0;
  snprintf (spec_port, sizeof spec_port, "127.0.0.1:%d:8080/tcp", port);
  g_usleep (GAP_US);
  t0 = g_get_monotonic_time ();
  if (!net_attach (root, runroot, &s, pid, &r, &error))
    {
      fprintf (stderr, "net-setup: attach: %s\n", error->message);
      exit (1);
    }
  net_attach_result_clear (&r);
  return (g_get_monotonic_time () - t0) / 1000.0;
}

/* As `podunit rm` does: the container is gone, then it is detached. */
static double
detach (const char *root, const char *runroot, const char *id, pid_t pid)
{
  GError *error = NULL;
  gint64 t0;
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  g_usleep (GAP_US);
  t0 = g_get_monotonic_time ();
  if (!net_detach (root, runroot, id, &error))
    {
      fprintf (stderr, "net-setup: detach: %s\n", error->message);
      exit (1);
    }
  return (g_get_monotonic_time () - t0) / 1000.0;
}

int
main (int argc, char **argv)
{
  int rounds = argc == 4 || argc == 5 ? atoi (argv[3]) : 0;
  if (rounds < 1)
    {
      fprintf (stderr, "usage: net-setup ROOT RUNROOT ROUNDS [NETWORK]\n");
      return 2;
    }
  if (argc == 5)
    network = argv[4];
  double *first = g_new (double, rounds), *beside = g_new (double, rounds);
  double *det = g_new (double, rounds), *last = g_new (double, rounds);
  for (int i = 0; i < rounds; i++)
    {
      pid_t a = sandbox (), b = sandbox ();
      first[i] = attach (argv[1], argv[2], "bench-a", 20000, a);
      beside[i] = attach (argv[1], argv[2], "bench-b", 20001, b);
      det[i] = detach (argv[1], argv[2], "bench-b", b);
      last[i] = detach (argv[1], argv[2], "bench-a", a);
    }
  printf ("  attach beside a running container  median %6.2f ms\n", median (beside, rounds));
  printf ("  attach of the first container      median %6.2f ms  (the bridge's elements too)\n",
          median (first, rounds));
  printf ("  detach beside a running container  median %6.2f ms\n", median (det, rounds));
  printf ("  detach of the last container       median %6.2f ms  (empties the sets)\n",
          median (last, rounds));
  return 0;
}
