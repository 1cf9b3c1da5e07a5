/* SPDX-License-Identifier: Apache-2.0 */
/* podunit image prune [-a] [-f]: removes dangling images (-a: every image no
 * container uses), then layers, blobs and staging dirs nothing refers to. */
#include "cli/image-util.h"
#include "image/image-mount.h"

#include <stdio.h>

int
cli_prune_images (CliGlobal *g, gboolean all, GPtrArray *removed, guint64 *reclaimed)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Store) s = cli_store_open (g, &error);
  if (s == NULL || !store_lock (s, &error))
    return cli_fail (error);
  g_autoptr (GPtrArray) images = store_list_images (s, &error);
  int rc = 0;
  for (guint i = 0; images && i < images->len && rc == 0; i++)
    {
      StoreImage *img = images->pdata[i];
      if (!all && store_image_get_names (img)[0] != NULL)
        continue;
      g_autoptr (GPtrArray) users
          = cli_containers_using_image (g, store_image_get_id (img), &error);
      if (users == NULL)
        rc = cli_fail (error);
      else if (users->len == 0)
        {
          gboolean was_mounted;
          if (image_unmount (g->runroot, store_image_get_id (img), &was_mounted, &error)
              && store_remove_image (s, store_image_get_id (img), &error))
            {
              g_ptr_array_add (removed, g_strdup (store_image_get_id (img)));
              if (reclaimed)
                *reclaimed += store_image_get_size (img);
            }
          else
            rc = cli_fail (error);
        }
    }
  if (images == NULL)
    rc = cli_fail (error);
  else if (rc == 0 && !store_prune_unused (s, &error))
    rc = cli_fail (error);
  store_unlock (s);
  return rc;
}

int
cli_image_prune (CliGlobal *g, int argc, char **argv)
{
  gboolean all = FALSE, force = FALSE;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Remove all images no container uses", NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Do not ask for confirmation", NULL },
    { NULL },
  };

  if (!cli_parse_options (&argc, &argv, entries, "- remove unused images", FALSE))
    return EXIT_PODUNIT;
  if (argc > 1)
    {
      cli_error ("image prune: unexpected argument \"%s\"", argv[1]);
      return EXIT_PODUNIT;
    }
  g_autoptr (GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  int rc = cli_prune_images (g, all, removed, NULL);
  for (guint i = 0; i < removed->len; i++)
    printf ("%s\n", (char *) removed->pdata[i]);
  return rc;
}
