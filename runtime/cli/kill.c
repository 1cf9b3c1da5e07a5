/* SPDX-License-Identifier: Apache-2.0 */
/* podunit kill [-s SIGNAL] NAME...: signals the containers' pid 1. */
#include "cli/cli.h"

#include <signal.h>
#include <stdio.h>

#include "container/container.h"
#include "container/launch.h"

int
cli_kill (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *signame = NULL;
  gboolean all = FALSE;
  int status = 0, sig = SIGKILL;
  const GOptionEntry entries[] = {
    { "signal", 's', 0, G_OPTION_ARG_STRING, &signame, "Signal to send (default KILL)", NULL },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Signal all running containers", NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER...", FALSE))
    return EXIT_PODUNIT;
  if (signame && (sig = container_parse_signal (signame)) < 0)
    {
      cli_error ("invalid signal: %s", signame);
      return EXIT_PODUNIT;
    }
  if (all)
    {
      g_autoptr (GPtrArray) list = container_list (g->root, NULL);
      for (guint i = 0; i < list->len; i++)
        {
          ContainerState st;
          if (container_state_load (g->runroot, list->pdata[i], &st, NULL)
              && st.status == CONTAINER_RUNNING)
            g_ptr_array_add (ids, g_strdup (list->pdata[i]));
        }
    }
  else if (argc < 2)
    {
      cli_error ("kill: requires at least 1 arg");
      return EXIT_PODUNIT;
    }
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GError) error = NULL;
      char *id = container_resolve (g->root, argv[i], &error);
      if (!id)
        {
          cli_error ("%s", error->message);
          status = EXIT_PODUNIT;
          continue;
        }
      g_ptr_array_add (ids, id);
    }
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (GError) error = NULL;
      if (!launch_kill (&g->launch, ids->pdata[i], sig, &error))
        {
          cli_error ("%s", error->message);
          status = EXIT_PODUNIT;
          continue;
        }
      printf ("%s\n", all ? (char *) ids->pdata[i] : argv[i + 1]);
    }
  return status;
}
