/* SPDX-License-Identifier: Apache-2.0 */
/* podunit commit [-f oci|docker] [-m MSG] [-a AUTHOR] [-q] NAME [IMAGE]: the
 * container's upper dir becomes a new layer on top of its image (store API).
 * Without -q, podman's copy progress goes to stderr first. */
#include "cli/cli.h"

#include <stdio.h>

#include "container/container.h"
#include "image/store.h"
#include "cli/image-util.h"

/* What the commit wrote: the base's layers were there already, the new
 * top layer and the config were written. */
static void
print_progress (StoreImage *img, StoreImage *base)
{
  cli_print_copy_progress (img, base ? g_strv_length ((char **) store_image_get_diff_ids (base)) : 0);
}

static JsonArray *
strv_array (char **v, guint from, guint to)
{
  JsonArray *a = json_array_new ();
  for (guint i = from; v && i < to && v[i]; i++)
    json_array_add_string_element (a, v[i]);
  return a;
}

/* The base's config with the container's entrypoint and command, as
 * podman's commit writes them (run --entrypoint X, commit: the image runs
 * X). A record older than the split: its whole argv becomes Cmd. */
static JsonObject *
commit_config (const ContainerConfig *c, StoreImage *base)
{
  JsonObject *config = json_object_new ();
  JsonObject *from = base ? store_image_get_config (base) : NULL;
  guint n_ep = c->entrypoint ? g_strv_length (c->entrypoint) : 0;
  guint n = c->argv ? g_strv_length (c->argv) : 0;
  g_autoptr (GList) members = from ? json_object_get_members (from) : NULL;
  for (GList *m = members; m; m = m->next)
    json_object_set_member (config, m->data,
                            json_node_copy (json_object_get_member (from, m->data)));
  if (n_ep)
    json_object_set_array_member (config, "Entrypoint", strv_array (c->argv, 0, n_ep));
  else
    json_object_remove_member (config, "Entrypoint");
  if (n > n_ep)
    json_object_set_array_member (config, "Cmd", strv_array (c->argv, n_ep, n));
  else
    json_object_remove_member (config, "Cmd");
  return config;
}

int
cli_commit (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *message = NULL, *author = NULL, *format = NULL;
  gboolean quiet = FALSE, pause = FALSE, docker = FALSE;
  g_auto (GStrv) changes = NULL;
  const GOptionEntry entries[] = {
    { "message", 'm', 0, G_OPTION_ARG_STRING, &message, "Commit message (docker format only)",
      NULL },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "Image format: oci (default) or docker",
      "FORMAT" },
    { "author", 'a', 0, G_OPTION_ARG_STRING, &author, "Author", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the image id", NULL },
    { "pause", 'p', 0, G_OPTION_ARG_NONE, &pause, "Ignored (no pausing)", NULL },
    { "change", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &changes, "Not supported yet", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (Store) store = NULL;
  g_autoptr (StoreImage) base = NULL;
  g_autoptr (StoreImage) img = NULL;
  g_autoptr (ContainerConfig) c = NULL;
  g_autoptr (JsonObject) config = NULL;
  g_autofree char *id = NULL, *cdir = NULL, *upper = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER [IMAGE]", FALSE))
    return EXIT_PODUNIT;
  if (format && !g_str_equal (format, "oci") && !g_str_equal (format, "docker"))
    {
      cli_error ("unrecognized image format \"%s\"", format);
      return EXIT_PODUNIT;
    }
  docker = format && g_str_equal (format, "docker");
  if (message && !docker)
    {
      /* as podman: an OCI image config has no place for a commit message */
      cli_error ("messages are only compatible with the docker image format (-f docker)");
      return EXIT_PODUNIT;
    }
  if (changes)
    {
      cli_error ("commit: --change is not supported by podunit yet");
      return EXIT_PODUNIT;
    }
  if (argc < 2 || argc > 3)
    {
      cli_error ("commit: requires CONTAINER [IMAGE]");
      return EXIT_PODUNIT;
    }
  id = container_resolve (g->root, argv[1], &error);
  c = id ? container_config_load (g->root, id, &error) : NULL;
  if (!c)
    return cli_fail (error);
  store = store_open (g->root, g->runroot, &error);
  if (!store)
    return cli_fail (error);
  if (c->image_id && !(base = store_lookup_image (store, c->image_id, &error)))
    return cli_fail (error);
  cdir = container_dir (g->root, id);
  upper = g_build_filename (cdir, "upper", NULL);
  config = commit_config (c, base);
  img = store_create_image_as (store, docker ? STORE_IMAGE_DOCKER : STORE_IMAGE_OCI, message, base,
                               upper, config, author, "", argc > 2 ? argv[2] : NULL, &error);
  if (!img)
    return cli_fail (error);
  if (!quiet)
    print_progress (img, base);
  printf ("%s\n", store_image_get_id (img));
  return 0;
}
