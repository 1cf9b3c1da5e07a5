/* SPDX-License-Identifier: Apache-2.0 */
/* `podunit container poststop ID`: internal, run by a container's
 * supervisor once the container exited and before its exit is recorded
 * (supervisor.h): the OCI poststop hooks create chose (container/hooks.h).
 * A failing hook is a warning, as in podman. */
#include "cli/cli.h"

#include <stdlib.h>

int
cli_container_poststop (CliGlobal *g, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ContainerConfig) c = NULL;
  g_autofree char *id = NULL;

  if (!cli_parse_options (&argc, &argv, (GOptionEntry[]){ { NULL } }, "CONTAINER", FALSE))
    return EXIT_PODUNIT;
  if (argc != 2)
    {
      cli_error ("accepts 1 arg(s), received %d", argc - 1);
      return EXIT_PODUNIT;
    }
  id = container_resolve (g->root, argv[1], &error);
  c = id ? container_config_load (g->root, id, &error) : NULL;
  if (!c)
    return cli_fail (error);
  if (!launch_poststop (&g->launch, c, &error))
    cli_warn ("%s", error->message);
  return 0;
}
