/* SPDX-License-Identifier: Apache-2.0 */
/* aardvark-dns: its config files and its process (see dns.h). */
#include "net/dns.h"
#include "fdio.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "net/network.h"

const char *
dns_server_path (void)
{
  static const char *const paths[] = { "/usr/libexec/podman/aardvark-dns",
                                       "/usr/lib/podman/aardvark-dns", NULL };
  const char *env = g_getenv ("PODUNIT_AARDVARK_DNS"); /* tests: "" disables it */
  if (env)
    return *env && access (env, X_OK) == 0 ? env : NULL;
  for (const char *const *p = paths; *p; p++)
    if (access (*p, X_OK) == 0)
      return *p;
  return NULL;
}

/* Whether @pid runs (a zombie does not). */
static gboolean
alive (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  const char *p;
  if (!g_file_get_contents (path, &text, NULL, NULL) || !(p = strrchr (text, ')')))
    return FALSE;
  return p[1] && p[2] != 'Z' && p[2] != 'X';
}

/* SIGTERM to @pid (aardvark-dns: not a child of ours), then waits up to a
 * second for it to exit: its pidfd turns readable when it has. */
static void
stop_and_wait (pid_t pid)
{
  autofd int fd = (int) syscall (SYS_pidfd_open, pid, 0);
  struct pollfd p = { .fd = fd, .events = POLLIN };

  if (fd >= 0 && syscall (SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0) == 0)
    while (poll (&p, 1, 1000) < 0 && errno == EINTR)
      ;
}

static pid_t
running_pid (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "aardvark.pid", NULL);
  g_autofree char *text = NULL;
  g_autofree char *comm = NULL;
  g_autofree char *commpath = NULL;
  pid_t pid;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  pid = (pid_t) g_ascii_strtoll (text, NULL, 10);
  if (pid <= 0)
    return 0;
  commpath = g_strdup_printf ("/proc/%d/comm", (int) pid);
  if (!g_file_get_contents (commpath, &comm, NULL, NULL) || !g_str_has_prefix (comm, "aardvark")
      || !alive (pid))
    return 0;
  return pid;
}

/* Runs aardvark-dns, through `systemd-run -q --scope` when @run is set.
 * It daemonizes itself once it listens: when this returns TRUE it answers. */
static gboolean
start_server (const char *run, const char *bin, const char *dir, GError **error)
{
  const char *args[] = { bin, "--config", dir, "-p", "53", "run" };
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  int status = 0;
  if (run)
    {
      g_ptr_array_add (argv, (char *) run);
      g_ptr_array_add (argv, "-q");
      g_ptr_array_add (argv, "--scope");
      if (geteuid () != 0)
        g_ptr_array_add (argv, "--user");
    }
  for (gsize i = 0; i < G_N_ELEMENTS (args); i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  return g_spawn_sync (NULL, (char **) argv->pdata, NULL,
                       G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
                       NULL, &status, error)
         && g_spawn_check_exit_status (status, error);
}

gboolean
dns_apply (const char *dir, GHashTable *files, GError **error)
{
  const char *bin = dns_server_path ();
  g_autoptr (GDir) d = NULL;
  GHashTableIter it;
  gpointer k, v;
  const char *e;
  pid_t pid;

  if (g_mkdir_with_parents (dir, 0700) < 0)
    {
      g_set_error (error, NET_ERROR, NET_ERROR_SYSTEM, "%s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  d = g_dir_open (dir, 0, NULL);
  while (d && (e = g_dir_read_name (d)))
    if (!g_str_equal (e, "aardvark.pid") && !g_hash_table_contains (files, e))
      {
        g_autofree char *path = g_build_filename (dir, e, NULL);
        unlink (path);
      }
  g_hash_table_iter_init (&it, files);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      g_autofree char *path = g_build_filename (dir, k, NULL);
      if (!g_file_set_contents (path, v, -1, error))
        return FALSE;
    }
  pid = running_pid (dir);
  if (g_hash_table_size (files) == 0)
    {
      g_autofree char *pidfile = g_build_filename (dir, "aardvark.pid", NULL);
      /* Gone before this returns: a start right after must not find it
       * still exiting and signal a dying process. */
      if (pid > 0)
        stop_and_wait (pid);
      unlink (pidfile);
      return TRUE;
    }
  if (pid > 0)
    return kill (pid, SIGHUP) == 0 || errno == ESRCH;
  if (!bin)
    return TRUE;
  /* Under systemd it gets a scope of its own (as netavark starts it):
   * else it stays in the cgroup of the unit whose container attached
   * first, and stopping that unit ends DNS for the whole network. Where
   * systemd-run cannot make one (no bus, a stand-in), it starts plainly. */
  {
    g_autofree char *run = access ("/run/systemd/system", F_OK) == 0
                               ? g_find_program_in_path ("systemd-run") : NULL;
    if (run && start_server (run, bin, dir, NULL))
      return TRUE;
    if (!start_server (NULL, bin, dir, error))
      {
        g_prefix_error (error, "starting %s: ", bin);
        return FALSE;
      }
  }
  return TRUE;
}
