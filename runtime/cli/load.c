/* SPDX-License-Identifier: Apache-2.0 */
/* podunit load [-i FILE] [-q]: oci-archive or docker-archive, as podman save
 * writes them (from stdin without -i). */
#include "image/archive-common.h"
#include "cli/image-util.h"
#include "error.h"

#include <errno.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

int
cli_load (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *input = NULL;
  gboolean quiet = FALSE;
  const GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input, "Read from archive FILE", "FILE" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Suppress the progress output", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "- load images from a tar archive", FALSE))
    return EXIT_PODUNIT;
  if (argc > 1)
    {
      cli_error ("load: unexpected argument \"%s\" (use -i FILE)", argv[1]);
      return EXIT_PODUNIT;
    }
  if (input == NULL)
    {
      if (isatty (STDIN_FILENO))
        {
          cli_error ("load: no input: use -i FILE or pipe an archive to stdin");
          return EXIT_PODUNIT;
        }
      input = g_strdup ("/dev/stdin");
    }
  else if (access (input, R_OK) < 0)
    {
      cli_error ("load: -i %s: %s", input, g_strerror (errno));
      return EXIT_PODUNIT;
    }

  g_autoptr (Store) s = cli_store_open (g, &error);
  g_autoptr (GPtrArray) loaded = s ? image_archive_load (s, input, &error) : NULL;
  if (loaded == NULL && g_error_matches (error, STORE_ERROR, STORE_ERROR_INVALID))
    {
      /* podman's wording, then which format was tried and why it failed */
      cli_error ("payload does not match any of the supported image formats: oci-archive, "
                 "docker-archive: %s",
                 error->message);
      return EXIT_PODUNIT;
    }
  if (loaded == NULL)
    return cli_fail (error);
  for (guint i = 0; i < loaded->len; i++)
    printf ("Loaded image: %s\n", (char *)loaded->pdata[i]);
  return 0;
}

char *
cli_load_archive_ref (Store *s, const char *ref, GError **error)
{
  const char *path = g_str_has_prefix (ref, "docker-archive:") ? ref + strlen ("docker-archive:")
                     : g_str_has_prefix (ref, "oci-archive:")  ? ref + strlen ("oci-archive:")
                                                               : NULL;
  g_autoptr (GPtrArray) loaded = NULL;
  g_autoptr (StoreImage) img = NULL;
  if (!path)
    return NULL;
  if (access (path, R_OK) < 0)
    return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), errno, "%s", ref),
           NULL;
  if (!(loaded = image_archive_load (s, path, error)))
    return NULL;
  if (!loaded->len)
    return gerror_set (error, STORE_ERROR, STORE_ERROR_INVALID, "%s: no image in the archive",
                       ref),
           NULL;
  if ((img = store_lookup_image (s, loaded->pdata[0], NULL)))
    cli_print_copy_progress (img, 0);
  return g_strdup (loaded->pdata[0]);
}
