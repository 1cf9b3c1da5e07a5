/* SPDX-License-Identifier: Apache-2.0 */
/* podunit rmi [-f] [-a] [-i] IMAGE...  Exit status as podman-rmi(1): 1 when
 * an image does not exist, 2 when a container uses it, 125 otherwise. */
#include "cli/image-util.h"
#include "image/image-mount.h"
#include "container/launch.h"
#include "pod/pod.h"

#include <stdio.h>
#include <string.h>

#define EXIT_RMI_UNKNOWN 1
#define EXIT_RMI_IN_USE 2

/* Removes IMG (or only the name REF selected, when it has others). A
 * container using it makes that fail, unless @remove_users (podman's -f):
 * then those containers are stopped and removed first. @all_names allows
 * removing an image with several names by id. The store lock spans check
 * and removal (run holds it while it records a new container). @report:
 * the Untagged/Deleted lines on stdout and a container using it an error
 * (else, run --rmi's way, nothing printed and a warning). */
static int
remove_one (CliGlobal *g, Store *s, StoreImage *img, const char *ref, gboolean all_names,
            gboolean remove_users, gboolean report)
{
  g_autoptr (GError) error = NULL;
  const char *id = store_image_get_id (img);
  const char *const *names = store_image_get_names (img);
  const char *const *digested = store_image_get_digested_names (img);
  const char *name = ref ? cli_image_name_for_ref (img, ref) : NULL;
  g_autofree char *dname
      = ref && strchr (ref, '@') ? store_normalize_digested_name (ref, NULL) : NULL;

  /* By a digest a pull gave it, beside other names: only that name goes. */
  if (dname && g_strv_contains (digested, dname)
      && g_strv_length ((char **)names) + g_strv_length ((char **)digested) > 1)
    {
      if (!store_untag_image (s, dname, &error))
        return cli_fail (error);
      printf ("Untagged: %s\n", dname);
      return 0;
    }
  if (name && g_strv_length ((char **)names) > 1)
    {
      if (!store_untag_image (s, name, &error))
        return cli_fail (error);
      printf ("Untagged: %s\n", name);
      return 0;
    }
  if (!name && g_strv_length ((char **)names) > 1 && !all_names)
    {
      g_autofree char *list = g_strjoinv (" ", (char **)names);
      cli_error (
          "unable to delete image \"%s\" by ID with more than one tag ([%s]): please force removal",
          id, list);
      return EXIT_PODUNIT;
    }

  if (!store_lock (s, &error))
    return cli_fail (error);
  g_autoptr (GPtrArray) users = cli_containers_using_image (g, id, &error);
  int rc = 0;
  if (users == NULL)
    rc = cli_fail (error);
  else if (users->len > 0 && !remove_users && !report)
    {
      cli_warn ("Failed removing image %s: image used by %s: image is in use by a container", id,
                (char *)users->pdata[0]);
      rc = EXIT_RMI_IN_USE;
    }
  else if (users->len > 0 && !remove_users)
    {
      cli_error ("image used by %s: image is in use by a container: consider listing external "
                 "containers and force-removing image",
                 (char *)users->pdata[0]);
      rc = EXIT_RMI_IN_USE;
    }
  for (guint i = 0; rc == 0 && i < users->len; i++)
    {
      /* A pod's infra (--infra-image) goes with its pod and every
       * container in it, as podman's rmi -f does. */
      g_autoptr (ContainerConfig) c = container_config_load (g->root, users->pdata[i], NULL);
      g_autoptr (Pod) pod = c && c->infra && c->pod ? pod_load (g->root, c->pod, NULL) : NULL;
      if (!c)
        continue; /* removed with its pod */
      if (pod ? !pod_remove (&g->launch, pod, TRUE, &error)
              : !launch_remove (&g->launch, users->pdata[i], TRUE, &error))
        rc = cli_fail (error);
    }
  if (rc == 0)
    {
      g_auto (GStrv) gone = store_image_all_names (img);
      gboolean was_mounted;
      /* `image mount`'s mount goes first, as containers/storage unmounts
       * a layer it deletes */
      if (!image_unmount (g->runroot, id, &was_mounted, &error) || !store_remove_image (s, id, &error))
        rc = cli_fail (error);
      else if (report)
        {
          for (char **n = gone; *n; n++)
            printf ("Untagged: %s\n", *n);
          printf ("Deleted: %s\n", id);
        }
    }
  store_unlock (s);
  return rc;
}

void
cli_rmi_after_run (CliGlobal *g, const char *image_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Store) s = cli_store_open (g, &error);
  g_autoptr (StoreImage) img = s ? store_lookup_image (s, image_id, &error) : NULL;
  if (img == NULL)
    {
      /* removed meanwhile: what --rmi wanted */
      if (!g_error_matches (error, STORE_ERROR, STORE_ERROR_NOT_FOUND))
        cli_warn ("Failed removing image %s: %s", image_id, error->message);
      return;
    }
  remove_one (g, s, img, NULL, TRUE, FALSE, FALSE);
}

int
cli_rmi (CliGlobal *g, int argc, char **argv)
{
  gboolean force = FALSE, all = FALSE, ignore = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force,
      "Remove images with several names by id, and the containers using them", NULL },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Remove all images", NULL },
    { "ignore", 'i', 0, G_OPTION_ARG_NONE, &ignore, "Ignore images that do not exist", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  int rc = 0;

  if (!cli_parse_options (&argc, &argv, entries, "IMAGE... - remove images", FALSE))
    return EXIT_PODUNIT;
  if (argc < 2 && !all)
    {
      cli_error ("rmi: image name or ID must be specified");
      return EXIT_PODUNIT;
    }
  if (argc >= 2 && all)
    {
      cli_error ("rmi: when using the --all switch, you may not pass any images names or IDs");
      return EXIT_PODUNIT;
    }
  g_autoptr (Store) s = cli_store_open (g, &error);
  if (s == NULL)
    return cli_fail (error);

  if (all)
    {
      g_autoptr (GPtrArray) images = store_list_images (s, &error);
      if (images == NULL)
        return cli_fail (error);
      for (guint i = 0; i < images->len; i++)
        {
          int r = remove_one (g, s, images->pdata[i], NULL, TRUE, force, TRUE);
          rc = r ? r : rc;
        }
      return rc;
    }
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GError) local = NULL;
      /* Looked up and removed under the store lock: another rmi of the same
       * image either finished first (this one then says "image not
       * known", as podman) or waits. */
      if (!store_lock (s, &local))
        return cli_fail (local);
      g_autoptr (StoreImage) img = store_lookup_image (s, argv[i], &local);
      int r;
      if (img == NULL && g_error_matches (local, STORE_ERROR, STORE_ERROR_NOT_FOUND))
        {
          r = 0;
          if (!ignore && !force) /* podman: --force ignores missing images */
            {
              cli_error ("%s", local->message);
              r = EXIT_RMI_UNKNOWN;
            }
        }
      else if (img == NULL)
        r = cli_fail (local);
      else
        r = remove_one (g, s, img, argv[i], force, force, TRUE);
      store_unlock (s);
      rc = r ? r : rc;
    }
  return rc;
}
