/* SPDX-License-Identifier: Apache-2.0 */
/* podunit diff NAME: what the container changed, from its overlay upper
 * dir: A added, C changed, D deleted (overlay's 0/0 character device
 * whiteouts), sorted by path as podman prints them. NAME may be an image
 * (when no container has that name): its top layer against the layers
 * below it, as podman's image diff. */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "container/container.h"
#include "image/store-fs.h"
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

typedef struct
{
  const char *const *lowers;
  GPtrArray *out;
} Diff;

static gboolean
diff_entry (int dirfd, const char *name, const char *rel, const struct stat *st, gboolean post,
            gpointer data, GError **error)
{
  Diff *d = data;
  (void) dirfd, (void) name, (void) error;
  if (post)
    return TRUE;
  if (S_ISCHR (st->st_mode) && major (st->st_rdev) == 0 && minor (st->st_rdev) == 0)
    g_ptr_array_add (d->out, g_strconcat ("D /", rel, NULL));
  else
    g_ptr_array_add (d->out, g_strconcat (in_lowers (d->lowers, rel) ? "C /" : "A /", rel, NULL));
  return TRUE;
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

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER|IMAGE", FALSE))
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
  if (id == NULL)
    {
      /* An image: its top layer against the layers below, as podman. */
      g_autoptr (GError) ierr = NULL;
      store = store_open (g->root, g->runroot, &ierr);
      img = store ? store_lookup_image (store, argv[1], &ierr) : NULL;
      if (img == NULL)
        {
          if (!g_error_matches (ierr, STORE_ERROR, STORE_ERROR_NOT_FOUND))
            return cli_fail (ierr);
          cli_error ("%s not found: no container or image of that name or id", argv[1]);
          return EXIT_PODUNIT;
        }
      const char *const *dirs = store_image_get_layer_dirs (img);
      guint n = g_strv_length ((char **) dirs);
      if (n == 0)
        return 0;
      g_autoptr (GPtrArray) below = g_ptr_array_new ();
      for (guint i = 0; i + 1 < n; i++)
        g_ptr_array_add (below, (gpointer) dirs[i]);
      g_ptr_array_add (below, NULL);
      autofd int lfd = open (dirs[n - 1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      Diff d = { (const char *const *) below->pdata, out };
      if (lfd < 0)
        {
          cli_error ("cannot open %s: %s", dirs[n - 1], g_strerror (errno));
          return EXIT_PODUNIT;
        }
      if (!fs_walk (lfd, dirs[n - 1], TRUE, diff_entry, &d, &error))
        return cli_fail (error);
      g_ptr_array_sort (out, by_path);
      for (guint i = 0; i < out->len; i++)
        printf ("%s\n", (char *) out->pdata[i]);
      return 0;
    }
  c = container_config_load (g->root, id, &error);
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
  autofd int ufd = open (upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  Diff d = { lowers, out };
  if (ufd >= 0 && !fs_walk (ufd, upper, TRUE, diff_entry, &d, &error))
    return cli_fail (error);
  g_ptr_array_sort (out, by_path);
  for (guint i = 0; i < out->len; i++)
    printf ("%s\n", (char *) out->pdata[i]);
  return 0;
}
