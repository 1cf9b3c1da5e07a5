/* SPDX-License-Identifier: Apache-2.0 */
/* podunit container prune [-f] [--filter F] and podunit system prune [-a]
 * [-f] [--volumes], as podman's: without -f they ask first (anything but
 * an answer starting with y or Y does nothing, status 0); then container
 * prune prints the removed ids, system prune what each part removed
 * under podman's headings and the space reclaimed. */
#include "cli/cli.h"

#include <stdio.h>

#include "container/container.h"
#include "container/launch.h"
#include "pod/pod.h"

int
cli_prune_containers (CliGlobal *g, char **filters, GPtrArray *removed)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ids = container_list (g->root, &error);
  int status = 0;
  if (!ids)
    return cli_fail (error);
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = ids->pdata[i];
      g_autoptr (GError) local = NULL;
      g_autoptr (ContainerConfig) c = container_config_load (g->root, id, NULL);
      ContainerState st;
      if (!c || !container_state_load (g->runroot, id, &st, NULL)
          || container_status_alive (st.status))
        continue;
      if (filters && !cli_container_matches (filters, c, &st, NULL))
        continue;
      /* A pod's infra container goes with its pod (pod prune). */
      if (c->infra && c->pod)
        {
          g_autoptr (Pod) pod = pod_load (g->root, c->pod, NULL);
          if (pod)
            continue;
        }
      if (launch_remove (&g->launch, id, FALSE, &local))
        g_ptr_array_add (removed, g_strdup (id));
      else if (!g_error_matches (local, CONTAINER_ERROR, CONTAINER_ERROR_STATE)
               && !g_error_matches (local, CONTAINER_ERROR, CONTAINER_ERROR_NOT_FOUND))
        {
          /* (started or removed by someone else meanwhile: not an error) */
          cli_error ("%s", local->message);
          status = EXIT_PODUNIT;
        }
    }
  return status;
}

/* podman's prompt: TRUE to go on. */
static gboolean
confirm (const char *warning)
{
  char answer[64] = "";
  fputs (warning, stdout);
  fputs ("Are you sure you want to continue? [y/N] ", stdout);
  fflush (stdout);
  return fgets (answer, sizeof answer, stdin) && g_ascii_tolower (answer[0]) == 'y';
}

static void
print_list (GPtrArray *a)
{
  for (guint i = 0; i < a->len; i++)
    printf ("%s\n", (char *) a->pdata[i]);
}

int
cli_container_prune (CliGlobal *g, int argc, char **argv)
{
  gboolean force = FALSE;
  g_auto (GStrv) filters = NULL;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Do not ask for confirmation", NULL },
    { "filter", 0, 0, G_OPTION_ARG_STRING_ARRAY, &filters, "Prune only these", "KEY=VALUE" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  int status;

  if (!cli_parse_options (&argc, &argv, entries, "", FALSE))
    return EXIT_PODUNIT;
  if (argc > 1)
    {
      cli_error ("`podman container prune` takes no arguments");
      return EXIT_PODUNIT;
    }
  if (!cli_container_filters_check (filters, &error))
    return cli_fail (error);
  if (!force && !confirm ("WARNING! This will remove all non running containers.\n"))
    return 0;
  cli_sweep (g);
  status = cli_prune_containers (g, filters, removed);
  print_list (removed);
  return status;
}

/* go-units' HumanSize: four significant digits, powers of 1000. */
static char *
human_size (guint64 bytes)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB", "EB" };
  double v = (double) bytes;
  guint u = 0;
  while (v >= 1000.0 && u + 1 < G_N_ELEMENTS (units))
    {
      v /= 1000.0;
      u++;
    }
  return g_strdup_printf ("%.4g%s", v, units[u]);
}

static void
print_section (const char *heading, GPtrArray *a)
{
  if (a->len == 0)
    return;
  printf ("%s\n", heading);
  print_list (a);
}

int
cli_system_prune (CliGlobal *g, int argc, char **argv)
{
  gboolean force = FALSE, all = FALSE, volumes = FALSE;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Remove all unused images, not only dangling ones",
      NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Do not ask for confirmation", NULL },
    { "volumes", 0, 0, G_OPTION_ARG_NONE, &volumes, "Remove unused volumes too", NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) ctrs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) pods = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) vols = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) imgs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) nets = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *size = NULL;
  guint64 reclaimed = 0;
  int status = 0, rc;

  if (!cli_parse_options (&argc, &argv, entries, "", FALSE))
    return EXIT_PODUNIT;
  if (argc > 1)
    {
      cli_error ("`podman system prune` takes no arguments");
      return EXIT_PODUNIT;
    }
  if (!force)
    {
      g_autofree char *warning = g_strdup_printf (
          "WARNING! This command removes:\n"
          "\t- all stopped containers\n"
          "\t- all networks not used by at least one container%s\n"
          "%s\n",
          volumes ? "\n\t- all volumes not used by at least one container" : "",
          all ? "\t- all images without at least one container associated with them\n"
                "\t- all build cache\n"
              : "\t- all dangling images\n"
                "\t- all dangling build cache\n");
      if (!confirm (warning))
        return 0;
    }
  cli_sweep (g);
  /* Pods first (with their containers), then what containers held. */
  if ((rc = cli_prune_pods (g, pods)))
    status = rc;
  if ((rc = cli_prune_containers (g, NULL, ctrs)))
    status = rc;
  if (volumes && (rc = cli_prune_volumes (g, TRUE, NULL, vols)))
    status = rc;
  if ((rc = cli_prune_images (g, all, imgs, &reclaimed)))
    status = rc;
  if ((rc = cli_prune_networks (g, NULL, nets)))
    status = rc;
  print_section ("Deleted Containers", ctrs);
  print_section ("Deleted Pods", pods);
  print_section ("Deleted Volumes", vols);
  print_section ("Deleted Images", imgs);
  print_section ("Deleted Networks", nets);
  size = human_size (reclaimed);
  printf ("Total reclaimed space: %s\n", size);
  return status;
}
