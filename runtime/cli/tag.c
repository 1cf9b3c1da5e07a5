/* SPDX-License-Identifier: Apache-2.0 */
/* podunit tag IMAGE TARGET... */
#include "cli/image-util.h"

int
cli_tag (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr (GError) error = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "IMAGE TARGET... - add names to an image", FALSE))
    return EXIT_PODUNIT;
  if (argc < 3)
    {
      cli_error ("tag: need an IMAGE and at least one TARGET name");
      return EXIT_PODUNIT;
    }
  g_autoptr (Store) s = cli_store_open (g, &error);
  if (s == NULL)
    return cli_fail (error);
  g_autoptr (StoreImage) img = store_lookup_image (s, argv[1], &error);
  if (img == NULL)
    return cli_fail (error);
  for (int i = 2; i < argc; i++)
    if (!store_tag_image (s, store_image_get_id (img), argv[i], &error))
      return cli_fail (error);
  return 0;
}
