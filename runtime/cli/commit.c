/* SPDX-License-Identifier: Apache-2.0 */
/* podunit commit [-m MSG] [-a AUTHOR] [-q] NAME [IMAGE]: the container's
 * upper dir becomes a new layer on top of its image (store API). */
#include "cli/cli.h"

#include <stdio.h>

#include "container/container.h"
#include "image/store.h"

int
cli_commit (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *message = NULL, *author = NULL, *format = NULL;
  gboolean quiet = FALSE, pause = FALSE;
  g_auto (GStrv) changes = NULL;
  const GOptionEntry entries[] = {
    { "message", 'm', 0, G_OPTION_ARG_STRING, &message, "Commit message (docker format only)",
      NULL },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "oci (podunit writes OCI images only)",
      NULL },
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
  if (format && !g_str_equal (format, "oci"))
    {
      cli_error ("commit: --format %s is not supported: podunit writes OCI images only", format);
      return EXIT_PODUNIT;
    }
  if (message)
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
  img = store_create_image (store, base, upper, NULL, author, message ? message : "",
                            argc > 2 ? argv[2] : NULL, &error);
  if (!img)
    return cli_fail (error);
  printf ("%s\n", store_image_get_id (img));
  return 0;
}
