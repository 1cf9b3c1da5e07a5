/* SPDX-License-Identifier: Apache-2.0 */
/* podunit rm [-f] [-v] [-i] [-a] [-l] [-t SECONDS] [--cidfile FILE] NAME...
 * Quadlet's ExecStop/ExecStopPost run `rm -v -f -i --cidfile=...`: a
 * missing container or cid file is then success, silently. */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "container/container.h"
#include "container/launch.h"
#include "container/volume.h"
#include "pod/pod.h"

int
cli_rm (CliGlobal *g, int argc, char **argv)
{
  gboolean force = FALSE, volumes = FALSE, ignore = FALSE, all = FALSE, latest = FALSE;
  gint timeout = -1;
  g_auto (GStrv) cidfiles = NULL;
  int status = 0;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Stop and remove running containers", NULL },
    { "volumes", 'v', 0, G_OPTION_ARG_NONE, &volumes, "Remove anonymous volumes", NULL },
    { "ignore", 'i', 0, G_OPTION_ARG_NONE, &ignore, "Ignore missing containers", NULL },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Remove all containers", NULL },
    { "latest", 'l', 0, G_OPTION_ARG_NONE, &latest, "Remove the container created last", NULL },
    { "time", 't', 0, G_OPTION_ARG_INT, &timeout, "Seconds to wait before SIGKILL", NULL },
    { "cidfile", 0, 0, G_OPTION_ARG_STRING_ARRAY, &cidfiles, "Read the ID from the file", NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) names = NULL;
  g_autoptr (GPtrArray) remove_files = g_ptr_array_new_with_free_func (g_free);

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER...", FALSE))
    return EXIT_PODUNIT;
  ignore = ignore || force; /* podman: --force ignores missing containers */
  cli_sweep (g);
  names = cli_container_args (g, argc, argv, cidfiles, all, latest, ignore, remove_files, &status);
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
              /* podman's rm words it the other way round from its other verbs */
              if (g_error_matches (error, CONTAINER_ERROR, CONTAINER_ERROR_NOT_FOUND))
                cli_error ("no container with ID or name \"%s\" found: no such container",
                           (char *) names->pdata[i]);
              else
                cli_error ("%s", error->message);
              status = status ? status : 1;
            }
          continue;
        }
      if (force && timeout >= 0 && !launch_stop_for_remove (&g->launch, id, timeout, &error))
        {
          cli_error ("%s", error->message);
          status = EXIT_PODUNIT;
          continue;
        }
      /* -v: the anonymous volumes go with it; their names are in its mounts. */
      g_autoptr (ContainerConfig) c = container_config_load (g->root, id, NULL);
      if (c && c->infra && c->pod)
        {
          /* A pod's infra goes with its pod (pod.h): with --force the pod
           * is removed, as `pod rm -f` does; else podman's refusal. */
          g_autoptr (Pod) pod = pod_load (g->root, c->pod, NULL);
          if (pod && !force)
            {
              cli_error ("container %s is the infra container of pod %s and cannot be removed "
                         "without removing the pod",
                         id, pod->id);
              status = EXIT_PODUNIT;
              continue;
            }
          if (pod && !pod_remove (&g->launch, pod, TRUE, &error))
            {
              cli_error ("%s", error->message);
              status = EXIT_PODUNIT;
              continue;
            }
          if (pod)
            {
              printf ("%s\n", (char *) names->pdata[i]);
              continue;
            }
        }
      if (!volumes)
        g_clear_pointer (&c, container_config_free);
      if (!launch_remove (&g->launch, id, force, &error))
        {
          cli_error ("%s", error->message);
          status = error->code == CONTAINER_ERROR_STATE ? 2 : EXIT_PODUNIT;
          continue;
        }
      if (c && !volume_remove_anonymous (g->root, c->mounts, &error))
        {
          cli_error ("%s", error->message);
          status = EXIT_PODUNIT;
        }
      printf ("%s\n", (char *) names->pdata[i]); /* as given, like podman */
    }
  /* The container is gone: its cid file must not block the next run. */
  for (guint i = 0; i < remove_files->len; i++)
    if (unlink (remove_files->pdata[i]) < 0 && errno != ENOENT)
      cli_warn ("removing %s: %s", (char *) remove_files->pdata[i], g_strerror (errno));
  return status;
}
