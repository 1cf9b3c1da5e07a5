/* SPDX-License-Identifier: Apache-2.0 */
/* podunit wait NAME...: blocks until each container exited, prints its
 * exit code. */
#include "cli/cli.h"

#include <stdio.h>

#include "container/container.h"
#include "container/launch.h"

int
cli_wait (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *condition = NULL;
  gboolean ignore = FALSE;
  int status = 0;
  const GOptionEntry entries[] = {
    { "condition", 0, 0, G_OPTION_ARG_STRING, &condition, "Only \"stopped\"/\"exited\"", NULL },
    { "ignore", 'i', 0, G_OPTION_ARG_NONE, &ignore, "Ignore missing containers (print -1)", NULL },
    { NULL },
  };

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER...", FALSE))
    return EXIT_PODUNIT;
  if (condition && !g_str_equal (condition, "stopped") && !g_str_equal (condition, "exited"))
    {
      cli_error ("--condition %s is not supported by podunit yet", condition);
      return EXIT_PODUNIT;
    }
  if (argc < 2)
    {
      cli_error ("wait: requires at least 1 arg");
      return EXIT_PODUNIT;
    }
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *id = container_resolve (g->root, argv[i], &error);
      int code;
      if (!id)
        {
          if (ignore)
            printf ("-1\n");
          else
            {
              cli_error ("%s", error->message);
              status = EXIT_PODUNIT;
            }
          continue;
        }
      code = launch_wait (&g->launch, id, &error);
      if (code < 0 && error)
        {
          cli_error ("%s", error->message);
          status = EXIT_PODUNIT;
          continue;
        }
      printf ("%d\n", code);
    }
  return status;
}
