/* SPDX-License-Identifier: Apache-2.0 */
/* podunit healthcheck run [--ignore-result] NAME: runs the container's
 * health check once (the startup check while that has not passed), records
 * it in RUNROOT/containers/<id>/health.json and acts on it: exit 0 when the
 * check passed, 1 when it failed, 125 when it could not run (podman's
 * codes). The supervisor runs the same verb on its timer, so what it does
 * on failure (--health-on-failure) and, for --sdnotify=healthy, READY=1 on
 * a pass (to the $NOTIFY_SOCKET the supervisor inherited from the service,
 * with MAINPID=<supervisor>) happens here.
 *
 * The check itself goes through runner's exec path (spawn_exec: setns into
 * the container, its caps and seccomp). spawn_exec joins the namespaces in
 * the calling process, so a helper child does it; this process stays in
 * the host's namespaces to write the state file. */
#include "cli/cli.h"
#include "error.h"
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "systemd/cgroup.h"
#include "container/container.h"
#include "systemd/health.h"
#include "container/launch.h"
#include "systemd/notify.h"

typedef struct
{
  CliGlobal *g;
  ContainerConfig *c;
  pid_t target;
  const char *cgroup_file; /* the check counts against the container's limits */
} ExecData;

/* In the helper: runs the check, kills it at the deadline, reports
 * "EXIT_CODE TIMED_OUT" on @report. Never returns. */
static G_GNUC_NORETURN void
helper (ExecData *d, char **argv, gint64 timeout_usec, int out, int report)
{
  g_autoptr (GError) error = NULL;
  SpawnSpec spec;
  gint64 deadline = g_get_monotonic_time () + timeout_usec;
  int status = 0, timed_out = 0, code;
  pid_t pid;
  char buf[32];

  if (!launch_exec_spec (&d->g->launch, d->c, &spec, &error)
      || !cgroup_enter_saved (d->cgroup_file, getpid (), &error))
    goto failed;
  spec.argv = argv;
  spec.init = FALSE;
  spec.stdio[0] = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  spec.stdio[1] = out;
  spec.stdio[2] = out;
  pid = spawn_exec (&spec, d->target, &error);
  if (pid < 0)
    goto failed;
  close (out);
  {
    /* The check's exit, or its deadline. */
    autofd int pidfd = syscall (SYS_pidfd_open, pid, 0);
    struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
    gint64 left;
    while ((left = deadline - g_get_monotonic_time ()) > 0
           && poll (&pfd, 1, (int) MIN (left / 1000 + 1, G_MAXINT)) < 0 && errno == EINTR)
      ;
    if (waitpid (pid, &status, WNOHANG) == 0)
      {
        kill (pid, SIGKILL);
        waitpid (pid, &status, 0);
        timed_out = 1;
      }
  }
  code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  g_snprintf (buf, sizeof buf, "%d %d", code, timed_out);
  if (write (report, buf, strlen (buf)) < 0)
    _exit (125);
  _exit (0);

failed:
  /* A check that cannot be started is a failing run (126/127 as exec's),
   * its message the output. */
  if (write (out, error->message, strlen (error->message)) < 0)
    _exit (125);
  g_snprintf (buf, sizeof buf, "%d 0", error->domain == SPAWN_ERROR ? error->code : 125);
  if (write (report, buf, strlen (buf)) < 0)
    _exit (125);
  _exit (0);
}

static gboolean
exec_in_container (char **argv, gint64 timeout_usec, int *exit_code, gboolean *timed_out,
                   char **output, gpointer data, GError **error)
{
  int out[2], rep[2], status;
  g_autoptr (GString) text = g_string_new (NULL);
  char buf[4096], report[64];
  ssize_t n, rn = 0;
  pid_t pid;

  if (pipe2 (out, O_CLOEXEC) < 0 || pipe2 (rep, O_CLOEXEC) < 0)
    {
      errno_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), errno, "pipe");
      return FALSE;
    }
  fflush (NULL);
  pid = fork ();
  if (pid < 0)
    {
      errno_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), errno, "fork");
      return FALSE;
    }
  if (pid == 0)
    {
      close (out[0]);
      close (rep[0]);
      helper (data, argv, timeout_usec, out[1], rep[1]);
    }
  close (out[1]);
  close (rep[1]);
  /* EOF once the check and anything it left behind closed the pipe, or
   * the helper killed it. */
  while ((n = read (out[0], buf, sizeof buf)) != 0)
    if (n > 0 && text->len < 64 * 1024)
      g_string_append_len (text, buf, n);
    else if (n < 0 && errno != EINTR)
      break;
  close (out[0]);
  while ((n = read (rep[0], report + rn, sizeof report - 1 - rn)) > 0)
    rn += n;
  close (rep[0]);
  report[rn] = '\0';
  waitpid (pid, &status, 0);
  if (sscanf (report, "%d %d", exit_code, timed_out) != 2)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "healthcheck: exec helper failed");
      return FALSE;
    }
  *output = g_string_free (g_steal_pointer (&text), FALSE);
  return TRUE;
}

/* podman's --health-on-failure. "restart" stops the container and starts
 * it again under a new supervisor. */
static void
act (CliGlobal *g, ContainerConfig *c, HealthOnFailure action)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = TRUE;

  switch (action)
    {
    case HEALTH_ON_FAILURE_NONE:
      return;
    case HEALTH_ON_FAILURE_KILL:
      ok = launch_kill (&g->launch, c->id, SIGKILL, &error);
      break;
    case HEALTH_ON_FAILURE_STOP:
      ok = launch_stop (&g->launch, c->id, -1, &error);
      break;
    case HEALTH_ON_FAILURE_RESTART:
      {
        g_autofree char *rdir = container_run_dir (g->runroot, c->id);
        g_autofree char *state = g_build_filename (rdir, HEALTH_STATE_FILE, NULL);
        g_autoptr (HealthState) s = health_state_load (state, NULL);
        ok = launch_stop (&g->launch, c->id, -1, &error) && launch_detached (&g->launch, c, &error);
        if (ok && s)
          {
            health_state_reset (s);
            health_state_save (s, state, NULL);
          }
      }
      break;
    }
  if (!ok)
    cli_warn ("health check on-failure action %s for %s: %s",
              health_on_failure_to_string (action), c->name, error->message);
}

int
cli_healthcheck_run (CliGlobal *g, int argc, char **argv)
{
  gboolean ignore_result = FALSE;
  const GOptionEntry entries[] = {
    { "ignore-result", 0, 0, G_OPTION_ARG_NONE, &ignore_result,
      "Exit with 0 regardless of the result", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL, *cdir = NULL, *rdir = NULL, *cfg_path = NULL, *state_path = NULL;
  g_autoptr (ContainerConfig) c = NULL;
  g_autoptr (HealthState) prev = NULL;
  HealthConfig hc;
  HealthOutcome outcome;
  HealthStatus status = HEALTH_STARTING;
  ContainerState st;
  gboolean startup;

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER", FALSE))
    return EXIT_PODUNIT;
  if (argc != 2)
    {
      cli_error ("healthcheck run: requires exactly 1 arg");
      return EXIT_PODUNIT;
    }
  id = container_resolve (g->root, argv[1], &error);
  c = id ? container_config_load (g->root, id, &error) : NULL;
  if (!c || !container_state_load (g->runroot, id, &st, &error))
    return cli_fail (error);
  cdir = container_dir (g->root, id);
  rdir = container_run_dir (g->runroot, id);
  cfg_path = g_build_filename (cdir, HEALTH_CONFIG_FILE, NULL);
  state_path = g_build_filename (rdir, HEALTH_STATE_FILE, NULL);
  if (!health_config_load (cfg_path, &hc, NULL) || !hc.test)
    {
      cli_error ("container %s has no defined healthcheck", c->name);
      return EXIT_PODUNIT;
    }
  if (st.status != CONTAINER_RUNNING)
    {
      health_config_clear (&hc);
      cli_error ("container %s is not running", c->name);
      return EXIT_PODUNIT;
    }
  prev = health_state_load (state_path, &error);
  startup = prev && hc.startup_test && !prev->startup_passed;

  g_autofree char *cgroup_file = g_build_filename (rdir, "cgroup", NULL);
  ExecData d = { g, c, st.pid, cgroup_file };
  if (!health_run (state_path, &hc, startup, st.started_at, exec_in_container, &d, &outcome,
                   &status, &error))
    {
      health_config_clear (&hc);
      return cli_fail (error);
    }
  health_config_clear (&hc);

  if (outcome.passed && !startup && g_strcmp0 (c->sdnotify, "healthy") == 0)
    {
      /* Only the supervisor's timer has the service's socket. */
      const char *sock = g_getenv ("NOTIFY_SOCKET");
      g_autoptr (Notifier) n = notifier_new (NOTIFY_MODE_HEALTHY, sock, st.supervisor_pid);
      g_autoptr (GError) nerr = NULL;
      if (sock && !notifier_health_passed (n, &nerr))
        cli_warn ("%s", nerr->message);
    }
  act (g, c, outcome.action);

  if (ignore_result)
    return 0;
  if (status == HEALTH_UNHEALTHY)
    printf ("unhealthy\n");
  return outcome.passed ? 0 : 1;
}
