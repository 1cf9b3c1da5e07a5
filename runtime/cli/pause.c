/* SPDX-License-Identifier: Apache-2.0 */
/* podunit pause|unpause [-a] CONTAINER...: freezes or thaws every process
 * of running containers (container/launch.h: launch_pause), as podman's.
 * Each one done prints what named it (its id with --all). */
#include "cli/cli.h"

#include <stdio.h>

#include "container/container.h"
#include "container/launch.h"

static int
pause_verb (CliGlobal *g, int argc, char **argv, gboolean pause)
{
  gboolean all = FALSE;
  g_auto (GStrv) cidfiles = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all,
      pause ? "Pause all running containers" : "Unpause all paused containers", NULL },
    { "cidfile", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &cidfiles, "Read the container id from FILE",
      "FILE" },
    { NULL },
  };
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  int status = 0;

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER...", FALSE))
    return EXIT_PODUNIT;
  if (all && argc > 1)
    {
      cli_error ("when using the --all switch, you may not pass any containers names or IDs");
      return EXIT_PODUNIT;
    }
  for (int i = 1; i < argc; i++)
    g_ptr_array_add (names, g_strdup (argv[i]));
  for (char **f = cidfiles; f && *f; f++)
    {
      g_autofree char *text = NULL;
      g_autoptr (GError) error = NULL;
      if (!g_file_get_contents (*f, &text, NULL, &error))
        {
          cli_error ("reading CIDFile: %s", error->message);
          return EXIT_PODUNIT;
        }
      g_ptr_array_add (names, g_strdup (g_strstrip (text)));
    }
  if (all)
    {
      g_autoptr (GPtrArray) ids = container_list (g->root, NULL);
      for (guint i = 0; ids && i < ids->len; i++)
        {
          ContainerState st;
          if (container_state_load (g->runroot, ids->pdata[i], &st, NULL)
              && st.status == (pause ? CONTAINER_RUNNING : CONTAINER_PAUSED))
            g_ptr_array_add (names, g_strdup (ids->pdata[i]));
        }
    }
  else if (names->len == 0)
    {
      cli_error ("you must provide at least one container name or id");
      return EXIT_PODUNIT;
    }
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *id = container_resolve (g->root, names->pdata[i], &error);
      if (!id || !(pause ? launch_pause : launch_unpause) (&g->launch, id, &error))
        {
          status = cli_fail (error);
          continue;
        }
      printf ("%s\n", (char *) names->pdata[i]);
    }
  return status;
}

int
cli_pause (CliGlobal *g, int argc, char **argv)
{
  return pause_verb (g, argc, argv, TRUE);
}

int
cli_unpause (CliGlobal *g, int argc, char **argv)
{
  return pause_verb (g, argc, argv, FALSE);
}
