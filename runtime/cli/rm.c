/* SPDX-License-Identifier: Apache-2.0 */
/* podunit rm [-f] [-v] [-i] [-a] [-l] [-t SECONDS] [--cidfile FILE] [--depend] NAME...
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

/* Removes @id after the containers that depend on it (--depend, -a),
 * printing each one's id; @shown: what names it on the command line. */
static gboolean
remove_with_dependents (CliGlobal *g, const char *id, const char *shown, gboolean force,
                        GHashTable *removed, GError **error)
{
  g_autoptr (GPtrArray) deps = container_dependents (g->root, id);
  for (guint i = 0; i < deps->len; i++)
    if (!g_hash_table_contains (removed, deps->pdata[i])
        && !remove_with_dependents (g, deps->pdata[i], deps->pdata[i], force, removed, error))
      return FALSE;
  if (!launch_remove (&g->launch, id, force, error))
    return FALSE;
  g_hash_table_add (removed, g_strdup (id));
  printf ("%s\n", shown);
  return TRUE;
}

int
cli_rm (CliGlobal *g, int argc, char **argv)
{
  gboolean force = FALSE, volumes = FALSE, ignore = FALSE, all = FALSE, latest = FALSE,
           depend = FALSE;
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
    { "depend", 0, 0, G_OPTION_ARG_NONE, &depend,
      "Remove the containers that depend on it first (a pod's infra: the pod)", NULL },
    { NULL },
  };
  g_autoptr (GHashTable) removed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
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
      if (!id && all)
        continue; /* removed with what it depended on */
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
          /* A pod's infra goes with its pod (pod.h), as podman: with
           * --depend (or -a) the pod is removed, its members first, as
           * `pod rm` does; else podman's refusal, --force or not. */
          g_autoptr (Pod) pod = pod_load (g->root, c->pod, NULL);
          g_autoptr (GPtrArray) ids = pod ? pod_containers (g->root, pod) : NULL;
          if (pod && !depend && !all)
            {
              cli_error ("container %s is the infra container of pod %s and cannot be removed "
                         "without removing the pod",
                         id, pod->id);
              status = EXIT_PODUNIT;
              continue;
            }
          if (pod && !pod_remove (&g->launch, pod, force, &error))
            {
              cli_error ("%s", error->message);
              status = EXIT_PODUNIT;
              continue;
            }
          for (guint k = ids ? ids->len : 0; k > 0; k--)
            printf ("%s\n", k == 1 ? (char *) names->pdata[i] : (char *) ids->pdata[k - 1]);
          if (pod)
            continue;
        }
      {
        /* podman's refusal, before anything is stopped */
        g_autoptr (GPtrArray) deps = depend || all ? NULL : container_dependents (g->root, id);
        if (deps && deps->len > 0)
          {
            g_ptr_array_add (deps, NULL);
            g_autofree char *list = g_strjoinv (", ", (char **) deps->pdata);
            cli_error ("container %s has dependent containers which must be removed before it: "
                       "%s: container already exists",
                       id, list);
            status = EXIT_PODUNIT;
            continue;
          }
      }
      if (!volumes)
        g_clear_pointer (&c, container_config_free);
      if (depend || all)
        {
          if (!remove_with_dependents (g, id, names->pdata[i], force, removed, &error))
            {
              cli_error ("%s", error->message);
              status = error->code == CONTAINER_ERROR_STATE ? 2 : EXIT_PODUNIT;
            }
          else if (c && !volume_remove_anonymous (g->root, c->mounts, &error))
            {
              cli_error ("%s", error->message);
              status = EXIT_PODUNIT;
            }
          continue;
        }
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
