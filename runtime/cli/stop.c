/* SPDX-License-Identifier: Apache-2.0 */
/* podunit stop [-t SECONDS] [-i] [--all] [-l] [--cidfile FILE] NAME...: the stop
 * signal, then SIGKILL after the timeout. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "container/container.h"
#include "container/launch.h"

int
cli_stop (CliGlobal *g, int argc, char **argv)
{
  gint timeout = -1;
  gboolean all = FALSE, ignore = FALSE, latest = FALSE;
  g_auto (GStrv) cidfiles = NULL;
  int status = 0;
  const GOptionEntry entries[] = {
    { "time", 't', 0, G_OPTION_ARG_INT, &timeout, "Seconds to wait before SIGKILL", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "Alias of --time", NULL },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Stop all running containers", NULL },
    { "latest", 'l', 0, G_OPTION_ARG_NONE, &latest, "Stop the container created last", NULL },
    { "ignore", 'i', 0, G_OPTION_ARG_NONE, &ignore, "Ignore missing containers", NULL },
    { "cidfile", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cidfiles, "Read the ID from the file", NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) names = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER...", FALSE))
    return EXIT_PODUNIT;
  names = cli_container_args (g, argc, argv, cidfiles, all, latest, ignore, NULL, &status);
  if (!names)
    return EXIT_PODUNIT;
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *id = container_resolve (g->root, names->pdata[i], &error);
      if (!id)
        {
          if (!ignore)
            {
              cli_error ("%s", error->message);
              status = EXIT_PODUNIT;
            }
          continue;
        }
      ContainerState st;
      gboolean was_running = container_state_load (g->runroot, id, &st, NULL)
                             && container_status_alive (st.status);
      if (!launch_stop (&g->launch, id, timeout, &error))
        {
          /* removed since it was resolved (a racing rm): named as given */
          gboolean gone = g_error_matches (error, CONTAINER_ERROR, CONTAINER_ERROR_NOT_FOUND);
          if (gone && ignore)
            continue;
          if (gone)
            cli_error ("no container with name or ID \"%s\" found: no such container",
                       (char *) names->pdata[i]);
          else
            cli_error ("%s", error->message);
          status = EXIT_PODUNIT;
          continue;
        }
      /* --all: the ids of the containers it stopped; else the names as given */
      if (!all || was_running)
        printf ("%s\n", (char *) names->pdata[i]);
    }
  return status;
}
