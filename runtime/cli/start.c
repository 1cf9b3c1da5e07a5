/* SPDX-License-Identifier: Apache-2.0 */
/* podunit start [-a] [--all] [--filter K=V] NAME...: starts created or exited containers under
 * their supervisor (or attached with -a). */
#include "cli/cli.h"

#include <stdio.h>

#include "container/container.h"
#include "container/launch.h"
#include "pod/pod.h"

int
cli_start (CliGlobal *g, int argc, char **argv)
{
  gboolean attach = FALSE, interactive = FALSE, all = FALSE;
  g_auto (GStrv) filters = NULL;
  g_autoptr (GError) ferror = NULL;
  int status = 0;
  const GOptionEntry entries[] = {
    { "attach", 'a', 0, G_OPTION_ARG_NONE, &attach, "Attach to the container's output", NULL },
    { "interactive", 'i', 0, G_OPTION_ARG_NONE, &interactive, "Keep stdin open", NULL },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, "Start every container that is not running", NULL },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters,
      "Only the containers that match (ps's filters)", NULL },
    { NULL },
  };

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER...", FALSE))
    return EXIT_PODUNIT;
  if (all && argc > 1)
    {
      cli_error ("either start all containers or the container(s) provided in the arguments");
      return EXIT_PODUNIT;
    }
  if (!cli_container_filters_check (filters, &ferror))
    return cli_fail (ferror);
  /* --filter without names: the containers that match, as with --all */
  if (filters && argc < 2)
    all = TRUE;
  g_autoptr (GPtrArray) list = all ? container_list (g->root, NULL) : NULL;
  if (all)
    {
      /* --all: every container not running (that matches), named by its full id */
      g_ptr_array_add (list, NULL);
      argv = g_new0 (char *, list->len + 1);
      argv[0] = "start";
      argc = 1;
      for (guint i = 0; list->pdata[i]; i++)
        {
          ContainerState st;
          g_autoptr (ContainerConfig) c = container_config_load (g->root, list->pdata[i], NULL);
          if (!c || !container_state_load (g->runroot, list->pdata[i], &st, NULL)
              || container_status_alive (st.status)
              || !cli_container_matches (filters, c, &st, NULL))
            continue;
          argv[argc++] = list->pdata[i];
        }
      if (argc == 1)
        return 0;
    }
  if (argc < 2)
    {
      cli_error ("start: requires at least 1 arg");
      return EXIT_PODUNIT;
    }
  if (attach && argc > 2)
    {
      cli_error ("start: you cannot start and attach multiple containers at once");
      return EXIT_PODUNIT;
    }
  if (!cli_runtime_flags_check (g, &ferror))
    return cli_launch_fail (ferror);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *id = container_resolve (g->root, argv[i], &error);
      g_autoptr (ContainerConfig) c = id ? container_config_load (g->root, id, &error) : NULL;
      ContainerState st;
      if (!c || !container_state_load (g->runroot, id, &st, &error))
        {
          cli_error ("%s", error->message);
          status = EXIT_PODUNIT;
          continue;
        }
      if (!cli_container_matches (filters, c, &st, NULL))
        continue;
      if (st.status == CONTAINER_PAUSED)
        {
          cli_error ("container %s must be in Created or Stopped state to be started: container "
                     "state improper",
                     id);
          status = EXIT_PODUNIT;
          continue;
        }
      if (st.status == CONTAINER_RUNNING)
        {
          printf ("%s\n", argv[i]); /* podman: starting a running container is a no-op */
          continue;
        }
      c->interactive = c->interactive || interactive;
      if (!pod_prepare_member (&g->launch, c, &error))
        {
          status = cli_launch_fail (error);
          g_clear_error (&error);
          continue;
        }
      if (attach)
        {
          int code = launch_foreground (&g->launch, c, LAUNCH_ATTACH_OUTPUT, &error);
          return code < 0 ? cli_launch_fail (error) : code;
        }
      if (!launch_detached (&g->launch, c, &error))
        {
          /* Started meanwhile (its --restart, another start): running, as asked */
          if (container_state_load (g->runroot, id, &st, NULL)
              && container_status_alive (st.status))
            {
              printf ("%s\n", argv[i]);
              continue;
            }
          status = cli_launch_fail (error);
          g_clear_error (&error);
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return status;
}
