/* SPDX-License-Identifier: Apache-2.0 */
/* podunit tag IMAGE TARGET... */
#include "cli/image-util.h"

#include <string.h>

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

/* podunit untag IMAGE [NAME...]: removes the names (all of them when none
 * is given); the image itself stays, dangling when it has no name left. */
int
cli_untag (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr (GError) error = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "IMAGE [NAME...] - remove names from an image",
                          FALSE))
    return EXIT_PODUNIT;
  if (argc < 2)
    {
      cli_error ("untag: need an IMAGE");
      return EXIT_PODUNIT;
    }
  g_autoptr (Store) s = cli_store_open (g, &error);
  if (s == NULL)
    return cli_fail (error);
  g_autoptr (StoreImage) img = store_lookup_image (s, argv[1], &error);
  if (img == NULL)
    return cli_fail (error);
  g_auto (GStrv) names = NULL;
  if (argc == 2)
    names = store_image_all_names (img);
  else
    {
      names = g_new0 (char *, argc - 1);
      for (int i = 2; i < argc; i++)
        {
          gboolean digested = strchr (argv[i], '@') != NULL;
          char **n = &names[i - 2];
          *n = digested ? store_normalize_digested_name (argv[i], &error)
                              : store_normalize_name (argv[i], &error);
          if (!*n)
            return cli_fail (error);
          if (!g_strv_contains (digested ? store_image_get_digested_names (img)
                                         : store_image_get_names (img),
                                *n))
            {
              cli_error ("%s: tag not known", argv[i]);
              return EXIT_PODUNIT;
            }
        }
    }
  for (char **n = names; *n; n++)
    if (!store_untag_image (s, *n, &error))
      return cli_fail (error);
  return 0;
}
