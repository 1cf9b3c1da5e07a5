/* SPDX-License-Identifier: Apache-2.0 */
/* podunit diff NAME: what the container changed, from its overlay upper
 * dir: A added, C changed, D deleted (overlay's 0/0 character device
 * whiteouts), sorted by path as podman prints them. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "container/container.h"
#include "image/store.h"

static gboolean
in_lowers (const char *const *lowers, const char *rel)
{
  for (; lowers && *lowers; lowers++)
    {
      g_autofree char *p = g_build_filename (*lowers, rel, NULL);
      struct stat st;
      if (lstat (p, &st) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
walk (const char *upper, const char *rel, const char *const *lowers, GPtrArray *out)
{
  g_autofree char *dir = g_build_filename (upper, rel, NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *e;
  while (d && (e = g_dir_read_name (d)))
    {
      g_autofree char *child = g_build_filename (rel, e, NULL);
      g_autofree char *full = g_build_filename (upper, child, NULL);
      struct stat st;
      if (lstat (full, &st) < 0)
        continue;
      if (S_ISCHR (st.st_mode) && major (st.st_rdev) == 0 && minor (st.st_rdev) == 0)
        g_ptr_array_add (out, g_strconcat ("D ", child, NULL));
      else
        g_ptr_array_add (out, g_strconcat (in_lowers (lowers, child) ? "C " : "A ", child, NULL));
      if (S_ISDIR (st.st_mode))
        walk (upper, child, lowers, out);
    }
}

static int
by_path (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char **) a + 2, *(char **) b + 2);
}

int
cli_diff (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "json", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL, *upper = NULL, *cdir = NULL;
  g_autoptr (ContainerConfig) c = NULL;
  g_autoptr (Store) store = NULL;
  g_autoptr (StoreImage) img = NULL;
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  const char *rootfs[] = { NULL, NULL };
  const char *const *lowers = rootfs;

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER", FALSE))
    return EXIT_PODUNIT;
  if (format)
    {
      cli_error ("diff: --format is not supported by podunit yet");
      return EXIT_PODUNIT;
    }
  if (argc != 2)
    {
      cli_error ("diff: requires exactly 1 container");
      return EXIT_PODUNIT;
    }
  id = container_resolve (g->root, argv[1], &error);
  c = id ? container_config_load (g->root, id, &error) : NULL;
  if (!c)
    return cli_fail (error);
  if (c->image_id)
    {
      store = store_open (g->root, g->runroot, &error);
      img = store ? store_lookup_image (store, c->image_id, &error) : NULL;
      if (!img)
        return cli_fail (error);
      lowers = store_image_get_layer_dirs (img);
    }
  else
    rootfs[0] = c->image;
  cdir = container_dir (g->root, id);
  upper = g_build_filename (cdir, "upper", NULL);
  walk (upper, "/", lowers, out);
  g_ptr_array_sort (out, by_path);
  for (guint i = 0; i < out->len; i++)
    printf ("%s\n", (char *) out->pdata[i]);
  return 0;
}
