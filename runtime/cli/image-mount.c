/* SPDX-License-Identifier: Apache-2.0 */
/* `image mount` / `image unmount` (image/image-mount.h), with podman's
 * output: one image prints its path; none (the mounted ones) or --all print
 * "NAME  PATH" lines (the first name, else the id); unmount prints the id
 * of each image it unmounted and nothing for one that was not mounted. */
#include "cli/cli.h"
#include "cli/image-util.h"
#include "image/image-mount.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The images @refs name, each looked up (the first unknown one fails the
 * command as podman's: "NAME: image not known"); all of them with @all. */
static GPtrArray *
images_for (Store *s, int argc, char **argv, gboolean all, GError **error)
{
  GPtrArray *out;
  if (all)
    return store_list_images (s, error);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) store_image_unref);
  for (int i = 1; i < argc; i++)
    {
      StoreImage *img = store_lookup_image (s, argv[i], error);
      if (!img)
        {
          g_ptr_array_unref (out);
          return NULL;
        }
      g_ptr_array_add (out, img);
    }
  return out;
}

static const char *
display_name (StoreImage *img)
{
  const char *const *names = store_image_get_names (img);
  return names && names[0] ? names[0] : store_image_get_id (img);
}

static void
print_table (GPtrArray *names, GPtrArray *paths)
{
  int width = 0;
  for (guint i = 0; i < names->len; i++)
    width = MAX (width, (int) strlen (names->pdata[i]));
  for (guint i = 0; i < names->len; i++)
    printf ("%-*s  %s\n", width, (char *) names->pdata[i], (char *) paths->pdata[i]);
}

static gboolean
check_root (CliGlobal *g)
{
  if (!g->rootless)
    return TRUE;
  cli_error ("cannot mount using driver overlay in rootless mode");
  return FALSE;
}

int
cli_image_mount (CliGlobal *g, int argc, char **argv)
{
  gboolean all = FALSE;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Mount all images", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (Store) s = NULL;
  g_autoptr (GPtrArray) images = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  g_autoptr (GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);

  if (!cli_parse_options (&argc, &argv, entries, "[IMAGE...] - mount images read-only", FALSE))
    return EXIT_PODUNIT;
  if (all && argc > 1)
    {
      cli_error ("when using the --all switch, you may not pass any image names or IDs");
      return EXIT_PODUNIT;
    }
  if (!check_root (g) || !(s = cli_store_open (g, &error)))
    return error ? cli_fail (error) : EXIT_PODUNIT;
  images = images_for (s, argc, argv, all || argc == 1, &error);
  if (!images)
    return cli_fail (error);
  for (guint i = 0; i < images->len; i++)
    {
      StoreImage *img = images->pdata[i];
      char *path;
      if (argc == 1 && !all)
        {
          /* no names: list what is mounted */
          if (!image_is_mounted (g->runroot, store_image_get_id (img)))
            continue;
          path = image_mount_path (g->runroot, store_image_get_id (img));
        }
      else
        {
          path = image_mount (g->runroot, store_image_get_id (img),
                              (char **) store_image_get_layer_dirs (img), &error);
          if (!path)
            return cli_fail (error);
        }
      g_ptr_array_add (names, (gpointer) display_name (img));
      g_ptr_array_add (paths, path);
    }
  if (argc == 2 && !all)
    printf ("%s\n", (char *) paths->pdata[0]);
  else
    print_table (names, paths);
  return 0;
}

int
cli_image_unmount (CliGlobal *g, int argc, char **argv)
{
  gboolean all = FALSE, force = FALSE;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Unmount all mounted images", NULL },
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Unmount however often it was mounted", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (Store) s = NULL;
  g_autoptr (GPtrArray) images = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "IMAGE... - unmount images", FALSE))
    return EXIT_PODUNIT;
  if (all && argc > 1)
    {
      cli_error ("when using the --all switch, you may not pass any image names or IDs");
      return EXIT_PODUNIT;
    }
  if (!all && argc < 2)
    {
      cli_error ("image name or ID must be specified");
      return EXIT_PODUNIT;
    }
  (void) force; /* a mount is not counted: one unmount undoes it */
  if (!check_root (g) || !(s = cli_store_open (g, &error)))
    return error ? cli_fail (error) : EXIT_PODUNIT;
  images = images_for (s, argc, argv, all, &error);
  if (!images)
    return cli_fail (error);
  for (guint i = 0; i < images->len; i++)
    {
      const char *id = store_image_get_id (images->pdata[i]);
      gboolean was = FALSE;
      if (!image_unmount (g->runroot, id, &was, &error))
        return cli_fail (error);
      if (was)
        printf ("%s\n", id);
    }
  return 0;
}
