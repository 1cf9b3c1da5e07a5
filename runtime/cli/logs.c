/* SPDX-License-Identifier: Apache-2.0 */
/* podunit logs [-f] [-t] [-n] [-l] [--tail N] [--since T] [--until T]
 * CONTAINER...: replays containers' logs from their log driver (journal.h:
 * the journal's entries for the container, or the k8s-file), stdout lines
 * to stdout and stderr lines to stderr. With several containers each line
 * starts with the container's short id (-n: its name), as podman; with
 * -f they are followed side by side, one process each. */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/container.h"
#include "container/launch.h"
#include "fdio.h"
#include "systemd/journal.h"

typedef struct {
  gboolean timestamps;
  gboolean at_line_start[3]; /* per stream: a piece continues a line */
  CliGlobal *g;
  const char *id;
  const char *prefix; /* "ID " or "NAME " with several containers; NULL: none */
} LogOpts;

static gboolean
print_entry (const LogEntry *e, gpointer data)
{
  LogOpts *o = data;
  g_autoptr (GString) text = g_string_new (NULL);
  if (o->prefix && o->at_line_start[e->stream])
    g_string_append (text, o->prefix);
  log_print_entry (text, e, o->timestamps, &o->at_line_start[e->stream]);
  /* one write a line: the lines of containers followed side by side
   * (processes of their own) do not mix */
  (void) fd_write_all (e->stream == LOG_STREAM_STDERR ? 2 : 1, text->str, text->len);
  return TRUE;
}

/* logs -f follows while the container runs. */
static gboolean
still_running (gpointer data)
{
  LogOpts *o = data;
  ContainerState st;
  return container_state_load (o->g->runroot, o->id, &st, NULL)
         && container_status_alive (st.status);
}

/* One container's log, printed; 0 or the exit status of its error. */
static int
print_log (CliGlobal *g, const char *id, ContainerConfig *c, const char *prefix,
           gboolean timestamps, const LogReadOptions *opts)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *rundir = container_run_dir (g->runroot, id);
  g_autofree char *path = NULL;
  LogOpts o = { .at_line_start = { TRUE, TRUE, TRUE }, .g = g, .id = id, .prefix = prefix,
                .timestamps = timestamps };
  LogReadOptions ro = *opts;
  LogDriver driver = container_log_driver (c);

  ro.keep_following = still_running;
  ro.data = &o;
  ro.watch_dir = rundir;
  if (driver == LOG_DRIVER_NONE || driver == LOG_DRIVER_PASSTHROUGH)
    {
      /* podman's words (a passthrough container under systemd is in the
       * unit's journal, not here) */
      cli_error ("this container is using the '%s' log driver, cannot read logs: this "
                 "container is not logging output",
                 c->log_driver);
      return EXIT_PODUNIT;
    }
  if (driver == LOG_DRIVER_JOURNALD)
    return log_read_journal (id, &ro, print_entry, &o, &error) ? 0 : cli_fail (error);
  path = container_log_path (g->root, c);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return 0; /* never started */
  return log_read_k8s_file (path, &ro, print_entry, &o, &error) ? 0 : cli_fail (error);
}

int
cli_logs (CliGlobal *g, int argc, char **argv)
{
  gboolean follow = FALSE, timestamps = FALSE, names = FALSE, latest = FALSE;
  gint tail = -1;
  g_autofree char *since = NULL, *until = NULL;
  const GOptionEntry entries[] = {
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &follow, "Follow the log", NULL },
    { "tail", 0, 0, G_OPTION_ARG_INT, &tail, "Only the last N lines", NULL },
    { "timestamps", 't', 0, G_OPTION_ARG_NONE, &timestamps, "Show timestamps", NULL },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, "Only lines since a time or duration", NULL },
    { "until", 0, 0, G_OPTION_ARG_STRING, &until, "Only lines until a time or duration", NULL },
    { "names", 'n', 0, G_OPTION_ARG_NONE, &names, "The container's name before each line", NULL },
    { "latest", 'l', 0, G_OPTION_ARG_NONE, &latest, "The container created last", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) args = NULL, ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) configs
      = g_ptr_array_new_with_free_func ((GDestroyNotify) container_config_free);
  LogReadOptions ro = { .tail = -1 };
  gint64 now = g_get_real_time ();
  int status = 0;

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER...", FALSE))
    return EXIT_PODUNIT;
  if (latest && argc > 1)
    {
      cli_error ("--latest and containers cannot be used together");
      return EXIT_PODUNIT;
    }
  if ((since && !log_parse_time (since, FALSE, now, &ro.since_usec, &error))
      || (until && !log_parse_time (until, TRUE, now, &ro.until_usec, &error)))
    return cli_fail (error);
  args = cli_container_args (g, argc, argv, NULL, FALSE, latest, FALSE, NULL, &status);
  if (!args)
    return status;
  if (args->len == 0)
    {
      cli_error ("no containers to show the logs of");
      return EXIT_PODUNIT;
    }
  /* every name resolved before anything is printed */
  for (guint i = 0; i < args->len; i++)
    {
      g_autofree char *id = container_resolve (g->root, args->pdata[i], &error);
      ContainerConfig *c = id ? container_config_load (g->root, id, &error) : NULL;
      if (!c)
        return cli_fail (error);
      g_ptr_array_add (ids, g_steal_pointer (&id));
      g_ptr_array_add (configs, c);
    }
  ro.tail = tail;
  ro.follow = follow;
  if (ids->len == 1)
    return print_log (g, ids->pdata[0], configs->pdata[0], NULL, timestamps, &ro);

  g_autoptr (GPtrArray) children = g_ptr_array_new ();
  for (guint i = 0; i < ids->len; i++)
    {
      ContainerConfig *c = configs->pdata[i];
      g_autofree char *prefix = names ? g_strdup_printf ("%s ", c->name)
                                      : g_strdup_printf ("%.12s ", (char *) ids->pdata[i]);
      pid_t pid;
      int r;
      if (!follow)
        {
          r = print_log (g, ids->pdata[i], c, prefix, timestamps, &ro);
          status = status ? status : r;
          continue;
        }
      fflush (NULL);
      pid = fork ();
      if (pid == 0)
        _exit (print_log (g, ids->pdata[i], c, prefix, timestamps, &ro));
      if (pid < 0)
        {
          cli_error ("fork: %s", g_strerror (errno));
          status = EXIT_PODUNIT;
          break;
        }
      g_ptr_array_add (children, GINT_TO_POINTER (pid));
    }
  for (guint i = 0; i < children->len; i++)
    {
      int st;
      if (waitpid (GPOINTER_TO_INT (children->pdata[i]), &st, 0) > 0 && status == 0)
        status = WIFEXITED (st) ? WEXITSTATUS (st) : EXIT_PODUNIT;
    }
  return status;
}
