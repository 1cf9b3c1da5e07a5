/* SPDX-License-Identifier: Apache-2.0 */
/* podunit restart [-t SECONDS] [-a] [--running] [-l] [--cidfile FILE]
 * CONTAINER...: stops each running one as `stop` does, then starts it
 * again under its supervisor as `start` does (its log goes on). */
#include "cli/cli.h"

#include <stdio.h>

#include "container/container.h"
#include "container/launch.h"
#include "pod/pod.h"

int
cli_restart (CliGlobal *g, int argc, char **argv)
{
  gint timeout = -1;
  gboolean all = FALSE, running = FALSE, latest = FALSE;
  g_auto (GStrv) cidfiles = NULL;
  int status = 0;
  const GOptionEntry entries[] = {
    { "time", 't', 0, G_OPTION_ARG_INT, &timeout, "Seconds to wait before SIGKILL", NULL },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout, "Alias of --time", NULL },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Restart all containers", NULL },
    { "running", 0, 0, G_OPTION_ARG_NONE, &running, "With --all: only the running ones", NULL },
    { "latest", 'l', 0, G_OPTION_ARG_NONE, &latest, "The container created last", NULL },
    { "cidfile", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cidfiles, "Read the ID from the file", NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) names = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER...", FALSE))
    return EXIT_PODUNIT;
  names = cli_container_args (g, argc, argv, cidfiles, all, latest, FALSE, NULL, &status);
  if (!names)
    return EXIT_PODUNIT;
  {
    g_autoptr (GError) error = NULL;
    if (!cli_runtime_flags_check (g, &error))
      return cli_launch_fail (error);
  }
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *id = container_resolve (g->root, names->pdata[i], &error);
      g_autoptr (ContainerConfig) c = id ? container_config_load (g->root, id, &error) : NULL;
      ContainerState st;
      gboolean was_running;
      if (!c || !container_state_load (g->runroot, id, &st, &error))
        {
          status = cli_fail (error);
          continue;
        }
      was_running = st.status == CONTAINER_RUNNING || st.status == CONTAINER_STOPPING;
      if (running && !was_running)
        continue;
      if ((was_running && !launch_stop (&g->launch, id, timeout, &error))
          || !pod_prepare_member (&g->launch, c, &error) || !launch_detached (&g->launch, c, &error))
        {
          status = cli_launch_fail (error);
          continue;
        }
      printf ("%s\n", (char *) names->pdata[i]);
    }
  return status;
}
