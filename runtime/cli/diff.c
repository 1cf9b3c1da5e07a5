/* SPDX-License-Identifier: Apache-2.0 */
/* podunit diff [--format json] [-l] NAME: what the container changed, from its overlay upper
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

#include <json-glib/json-glib.h>

#include "cli/template.h"
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
  gboolean container; /* leave out what the runtime mounts */
} Diff;

static gboolean
diff_entry (int dirfd, const char *name, const char *rel, const struct stat *st, gboolean post,
            gpointer data, GError **error)
{
  /* What the runtime puts there, not the container: podman leaves these
   * paths out of a diff (libpod's initInodes). */
  static const char *const runtime_paths[]
      = { "dev", "etc/hostname", "etc/hosts", "etc/resolv.conf", "proc", "run", "run/notify",
          "run/.containerenv", "run/secrets", "sys", "etc/mtab", NULL };
  Diff *d = data;
  (void) dirfd, (void) name, (void) error;
  if (post || (d->container && g_strv_contains (runtime_paths, rel)))
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

/* Sorted by path, as "K /path" lines or podman's JSON: {"changed": [...],
 * "added": [...], "deleted": [...]}, an empty kind left out. */
static void
print_changes (GPtrArray *out, gboolean json)
{
  static const char *const kinds[][2] = { { "C", "changed" }, { "A", "added" }, { "D", "deleted" } };
  g_autoptr (JsonObject) o = NULL;
  g_autoptr (JsonNode) root = NULL;

  g_ptr_array_sort (out, by_path);
  if (!json)
    {
      for (guint i = 0; i < out->len; i++)
        printf ("%s\n", (char *) out->pdata[i]);
      return;
    }
  o = json_object_new ();
  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      JsonArray *a = json_array_new ();
      for (guint i = 0; i < out->len; i++)
        if (((char *) out->pdata[i])[0] == kinds[k][0][0])
          json_array_add_string_element (a, (char *) out->pdata[i] + 2);
      if (json_array_get_length (a) > 0)
        json_object_set_array_member (o, kinds[k][1], a);
      else
        json_array_unref (a);
    }
  root = json_node_init_object (json_node_alloc (), o);
  cli_print_json (root);
}

int
cli_diff (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *format = NULL;
  gboolean latest = FALSE;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "json", NULL },
    { "latest", 'l', 0, G_OPTION_ARG_NONE, &latest, "The container created last", NULL },
    { NULL },
  };
  g_autoptr (GPtrArray) all = NULL;
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
  if (format && !g_str_equal (format, "json"))
    {
      cli_error ("diff: --format %s: only json is supported", format);
      return EXIT_PODUNIT;
    }
  if (argc != (latest ? 1 : 2))
    {
      cli_error ("diff: requires exactly 1 container (or --latest)");
      return EXIT_PODUNIT;
    }
  if (latest)
    {
      all = container_list (g->root, &error);
      if (!all)
        return cli_fail (error);
      if (all->len == 0)
        {
          cli_error ("no containers to diff");
          return EXIT_PODUNIT;
        }
      id = g_strdup (all->pdata[all->len - 1]);
    }
  else
    id = container_resolve (g->root, argv[1], &error);
  if (id == NULL)
    {
      /* An image: its top layer against the layers below, as podman. */
      g_autoptr (GError) ierr = NULL;
      g_clear_error (&error);
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
      Diff d = { (const char *const *) below->pdata, out, FALSE };
      if (lfd < 0)
        {
          cli_error ("cannot open %s: %s", dirs[n - 1], g_strerror (errno));
          return EXIT_PODUNIT;
        }
      if (!fs_walk (lfd, dirs[n - 1], TRUE, diff_entry, &d, &error))
        return cli_fail (error);
      print_changes (out, format != NULL);
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
  Diff d = { lowers, out, TRUE };
  if (ufd >= 0 && !fs_walk (ufd, upper, TRUE, diff_entry, &d, &error))
    return cli_fail (error);
  print_changes (out, format != NULL);
  return 0;
}
