/* SPDX-License-Identifier: Apache-2.0 */
/* pasta for rootless containers (see pasta.h). */
#include "net/pasta.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fdio.h"
#include "net/attach.h"
#include "net/network.h"
#include "net/ports.h"

/* How long stop waits for pasta to close its sockets. */
#define PASTA_STOP_WAIT_MS 2000

gboolean
net_is_pasta (const char *net)
{
  return net && (g_str_equal (net, "pasta") || g_str_has_prefix (net, "pasta:"));
}

static char *
pid_file (const char *runroot, const char *id)
{
  return g_build_filename (runroot, "networks", "pasta", id, NULL);
}

gboolean
net_pasta_check (const char *net, GError **error)
{
  g_autofree char *bin = g_find_program_in_path ("pasta");
  if (g_str_has_prefix (net, "pasta:") && !net[6])
    {
      g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                   "--network %s: expected pasta or pasta:OPTION,OPTION...", net);
      return FALSE;
    }
  if (!bin)
    {
      g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                   "pasta not found in PATH: install the package passt to give rootless "
                   "containers a network, or run them with --network none or --network host");
      return FALSE;
    }
  return TRUE;
}

/* pasta's -t/-u spec for one published port: "[ADDR/]HOST[-END]:CTR[-END]". */
static char *
port_spec (const NetPort *p)
{
  GString *s = g_string_new (NULL);
  if (p->host_ip[0])
    {
      const char *ip = p->host_ip;
      gsize len = strlen (ip);
      if (ip[0] == '[' && len > 2 && ip[len - 1] == ']')
        g_string_append_len (s, ip + 1, len - 2);
      else
        g_string_append (s, ip);
      g_string_append_c (s, '/');
    }
  g_string_append_printf (s, "%u", p->host_port);
  if (p->count > 1)
    g_string_append_printf (s, "-%u", p->host_port + p->count - 1);
  g_string_append_printf (s, ":%u", p->ctr_port);
  if (p->count > 1)
    g_string_append_printf (s, "-%u", p->ctr_port + p->count - 1);
  return g_string_free (s, FALSE);
}

/* pasta's message without the lines about syslog it prints when there is
 * none (a container or a minimal guest). */
static char *
pasta_message (const char *err)
{
  g_auto (GStrv) lines = g_strsplit (err ? err : "", "\n", -1);
  GString *s = g_string_new (NULL);
  for (char **l = lines; *l; l++)
    if (**l && !strstr (*l, "to syslog") && !g_str_has_prefix (*l, "Don't run as root"))
      g_string_append_printf (s, "%s%s", s->len ? "; " : "", *l);
  return g_string_free (s, FALSE);
}

/* pasta gets the container's network namespace as an inherited fd: it
 * joins it as the user without opening /proc/PID/ns/net, which the kernel
 * allows only to a process with all the container's capabilities (pasta
 * keeps few), and with --netns and no --userns it stays in the rootless
 * namespace, which owns the network namespace. */
#define PASTA_NS_FD 3

static void
ns_fd_setup (gpointer data)
{
  int fd = *(int *) data;
  /* glib has marked every fd above 2 close-on-exec by now. */
  if (fd == PASTA_NS_FD)
    fcntl (fd, F_SETFD, 0);
  else
    dup2 (fd, PASTA_NS_FD);
}

gboolean
net_pasta_start (const char *runroot, const char *id, const char *net, char **ports, pid_t pid,
                 GError **error)
{
  g_autofree char *bin = g_find_program_in_path ("pasta");
  g_autofree char *pidfile = pid_file (runroot, id);
  g_autofree char *dir = g_path_get_dirname (pidfile);
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *err = NULL;
  gboolean tcp = FALSE, udp = FALSE;
  int status = 0;
  autofd int nsfd = -1;

  if (!bin)
    return net_pasta_check (net, error);
  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      g_set_error (error, NET_ERROR, NET_ERROR_SYSTEM, "%s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  /* podman's defaults: the host's addresses and routes in the namespace,
   * DNS through a link-local address, no ports forwarded but the
   * published ones, and the gateway not mapped to the host. */
  g_ptr_array_add (argv, g_strdup (bin));
  for (const char *const *a = (const char *const[]){ "--config-net", "--quiet", "--no-map-gw",
                                                     "--dns-forward", NET_PASTA_DNS, "-T",
                                                     "none", "-U", "none", NULL };
       *a; a++)
    g_ptr_array_add (argv, g_strdup (*a));
  for (char **s = ports; s && *s; s++)
    {
      NetPort p;
      if (!net_port_from_string (*s, &p))
        continue;
      if (!g_str_equal (p.proto, "tcp") && !g_str_equal (p.proto, "udp"))
        {
          g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                       "-p %s: pasta publishes tcp and udp ports only", *s);
          return FALSE;
        }
      tcp |= g_str_equal (p.proto, "tcp");
      udp |= g_str_equal (p.proto, "udp");
      g_ptr_array_add (argv, g_strdup (g_str_equal (p.proto, "tcp") ? "-t" : "-u"));
      g_ptr_array_add (argv, port_spec (&p));
    }
  /* Without "none" pasta forwards every port bound in the namespace, and
   * udp ports matching the tcp ones. */
  if (!tcp)
    {
      g_ptr_array_add (argv, g_strdup ("-t"));
      g_ptr_array_add (argv, g_strdup ("none"));
    }
  if (!udp)
    {
      g_ptr_array_add (argv, g_strdup ("-u"));
      g_ptr_array_add (argv, g_strdup ("none"));
    }
  g_ptr_array_add (argv, g_strdup ("-P"));
  g_ptr_array_add (argv, g_strdup (pidfile));
  /* --network pasta:OPT,OPT: the user's own options, as podman passes them. */
  if (g_str_has_prefix (net, "pasta:"))
    {
      g_auto (GStrv) opts = g_strsplit (net + 6, ",", -1);
      for (char **o = opts; *o; o++)
        g_ptr_array_add (argv, g_strdup (*o));
    }
  /* The namespace as an open file (see ns_fd_setup), not the pid. */
  g_ptr_array_add (argv, g_strdup ("--netns"));
  g_ptr_array_add (argv, g_strdup_printf ("/proc/self/fd/%d", PASTA_NS_FD));
  g_ptr_array_add (argv, g_strdup ("--no-netns-quit"));
  g_ptr_array_add (argv, NULL);

  nsfd = net_open_netns (pid, error);
  if (nsfd < 0)
    return FALSE;
  unlink (pidfile);
  /* The first process exits once the namespace is configured and the
   * ports listen; the daemon it leaves has its stdio on /dev/null. */
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, ns_fd_setup,
                     &nsfd, NULL, &err, &status, error))
    {
      g_prefix_error (error, "starting %s: ", bin);
      return FALSE;
    }
  if (!g_spawn_check_exit_status (status, NULL))
    {
      g_autofree char *msg = pasta_message (err);
      /* udev makes it 0666; some hosts (containers, minimal systems) keep
       * the kernel's 0600 root. */
      const char *hint = access ("/dev/net/tun", R_OK | W_OK) != 0
                             ? " (/dev/net/tun is not open to the user: pasta needs it, "
                               "mode 0666 as udev sets it)"
                             : "";
      g_set_error (error, NET_ERROR, NET_ERROR_SYSTEM, "pasta failed%s%s%s", *msg ? ": " : "",
                   msg, hint);
      net_pasta_stop (runroot, id);
      return FALSE;
    }
  return TRUE;
}

/* Whether @pid is a pasta (it runs as passt, passt.avx2 or pasta). */
static gboolean
is_pasta (pid_t pid)
{
  char path[64];
  g_autofree char *comm = NULL;
  snprintf (path, sizeof path, "/proc/%d/comm", (int) pid);
  return g_file_get_contents (path, &comm, NULL, NULL)
         && (g_str_has_prefix (comm, "passt") || g_str_has_prefix (comm, "pasta"));
}

void
net_pasta_stop (const char *runroot, const char *id)
{
  g_autofree char *pidfile = pid_file (runroot, id);
  g_autofree char *text = NULL;
  autofd int pidfd = -1;
  gint64 pid;

  if (!g_file_get_contents (pidfile, &text, NULL, NULL))
    return;
  pid = g_ascii_strtoll (text, NULL, 10);
  /* The pidfd pins the process: once it is open and names a pasta, the
   * signal cannot reach a process that reused the pid. */
  if (pid > 1 && (pidfd = syscall (SYS_pidfd_open, (pid_t) pid, 0)) >= 0 && is_pasta (pid)
      && syscall (SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0) == 0)
    {
      struct pollfd p = { .fd = pidfd, .events = POLLIN };
      while (poll (&p, 1, PASTA_STOP_WAIT_MS) < 0 && errno == EINTR)
        ;
    }
  unlink (pidfile);
}
