/* SPDX-License-Identifier: Apache-2.0 */
/* podunit commit [-f oci|docker] [-m MSG] [-a AUTHOR] [-q] NAME [IMAGE]: the
 * container's upper dir becomes a new layer on top of its image (store API).
 * Without -q, podman's copy progress goes to stderr first. */
#include "cli/cli.h"

#include <stdio.h>

#include "container/container.h"
#include "image/store.h"

/* What the commit wrote, as podman's copy reports it without a terminal:
 * the base's layers were there already, the new top layer and the config
 * were written. */
static void
print_progress (StoreImage *img, StoreImage *base)
{
  JsonArray *layers = json_object_get_array_member (store_image_get_manifest (img), "layers");
  guint n = json_array_get_length (layers);
  guint reused = base ? g_strv_length ((char **) store_image_get_diff_ids (base)) : 0;
  fputs ("Getting image source signatures\n", stderr);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *l = json_array_get_object_element (layers, i);
      fprintf (stderr, "Copying blob %s%s\n", json_object_get_string_member (l, "digest"),
               i < reused ? " skipped: already exists" : "");
    }
  fprintf (stderr, "Copying config sha256:%s\n", store_image_get_id (img));
  fputs ("Writing manifest to image destination\n", stderr);
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
  img = store_create_image_as (store, docker ? STORE_IMAGE_DOCKER : STORE_IMAGE_OCI, message, base,
                               upper, NULL, author, "", argc > 2 ? argv[2] : NULL, &error);
  if (!img)
    return cli_fail (error);
  if (!quiet)
    print_progress (img, base);
  printf ("%s\n", store_image_get_id (img));
  return 0;
}
