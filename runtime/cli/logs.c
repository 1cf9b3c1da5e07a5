/* SPDX-License-Identifier: Apache-2.0 */
/* podunit logs [-f] [-n N] [-t] [--since T] NAME: replays the log of a
 * container from its log driver (journal.h: the journal's entries
 * for the container, or the k8s-file), stdout lines to stdout and stderr
 * lines to stderr. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "container/container.h"
#include "systemd/journal.h"

typedef struct {
  gboolean timestamps;
  gboolean at_line_start[3]; /* per stream: a piece continues a line */
  CliGlobal *g;
  const char *id;
} LogOpts;

static gboolean
print_entry (const LogEntry *e, gpointer data)
{
  LogOpts *o = data;
  FILE *out = e->stream == LOG_STREAM_STDERR ? stderr : stdout;
  g_autoptr (GString) text = g_string_new (NULL);
  log_print_entry (text, e, o->timestamps, &o->at_line_start[e->stream]);
  fwrite (text->str, 1, text->len, out);
  fflush (out);
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

int
cli_logs (CliGlobal *g, int argc, char **argv)
{
  gboolean follow = FALSE;
  LogOpts o = { .at_line_start = { TRUE, TRUE, TRUE }, .g = g };
  gint tail = -1;
  g_autofree char *since = NULL;
  const GOptionEntry entries[] = {
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &follow, "Follow the log", NULL },
    { "tail", 'n', 0, G_OPTION_ARG_INT, &tail, "Only the last N lines", NULL },
    { "timestamps", 't', 0, G_OPTION_ARG_NONE, &o.timestamps, "Show timestamps", NULL },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, "Only lines since a time or duration", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL, *path = NULL, *rundir = NULL;
  LogDriver driver = LOG_DRIVER_K8S_FILE;
  g_autoptr (ContainerConfig) c = NULL;
  LogReadOptions ro = { .tail = -1 };

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER", FALSE))
    return EXIT_PODUNIT;
  if (argc != 2)
    {
      cli_error ("logs: requires exactly 1 container");
      return EXIT_PODUNIT;
    }
  if (since && !log_parse_since (since, g_get_real_time (), &ro.since_usec, &error))
    return cli_fail (error);
  id = container_resolve (g->root, argv[1], &error);
  c = id ? container_config_load (g->root, id, &error) : NULL;
  if (!c)
    return cli_fail (error);
  o.id = id;
  ro.tail = tail;
  ro.follow = follow;
  ro.keep_following = still_running;
  ro.data = &o;
  rundir = container_run_dir (g->runroot, id);
  ro.watch_dir = rundir;
  if (c->log_driver)
    (void) log_driver_from_string (c->log_driver, &driver, NULL);
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
    {
      if (!log_read_journal (id, &ro, print_entry, &o, &error))
        return cli_fail (error);
      return 0;
    }
  path = container_log_path (g->root, c);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return 0; /* never started */
  if (!log_read_k8s_file (path, &ro, print_entry, &o, &error))
    return cli_fail (error);
  return 0;
}
