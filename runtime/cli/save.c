/* SPDX-License-Identifier: Apache-2.0 */
/* podunit save [-o FILE] [--format docker-archive|oci-archive] [--uncompressed] IMAGE (to stdout
 * without -o, unless it is a terminal) */
#include "image/archive-common.h"
#include "cli/image-util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int
cli_save (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *output = NULL;
  g_autofree char *format = NULL;
  gboolean quiet = FALSE, compress = FALSE, multi = FALSE, uncompressed = FALSE;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to FILE", "FILE" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "docker-archive (default) or oci-archive",
      "FORMAT" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Suppress the progress output", NULL },
    { "compress", 0, 0, G_OPTION_ARG_NONE, &compress, "Compress layers (directory formats only)",
      NULL },
    { "uncompressed", 0, 0, G_OPTION_ARG_NONE, &uncompressed,
      "oci-archive: the layers as plain tars (docker-archive's always are)", NULL },
    { "multi-image-archive", 'm', 0, G_OPTION_ARG_NONE, &multi, "Several images in one archive",
      NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "IMAGE - save an image to an archive", FALSE))
    return EXIT_PODUNIT;
  ImageArchiveFormat fmt = IMAGE_ARCHIVE_DOCKER;
  if (format && strcmp (format, "oci-archive") == 0)
    fmt = IMAGE_ARCHIVE_OCI;
  else if (format && strcmp (format, "docker-archive") != 0)
    {
      cli_error ("save: --format %s is not supported (docker-archive or oci-archive)", format);
      return EXIT_PODUNIT;
    }
  if (compress || multi)
    {
      cli_error ("save: %s is not supported yet",
                 compress ? "--compress" : "--multi-image-archive");
      return EXIT_PODUNIT;
    }
  if (output == NULL && isatty (STDOUT_FILENO))
    {
      cli_error ("refusing to save to terminal. Use -o flag or redirect");
      return EXIT_PODUNIT;
    }
  if (argc != 2)
    {
      cli_error ("save: exactly one IMAGE is required");
      return EXIT_PODUNIT;
    }

  g_autoptr (Store) s = cli_store_open (g, &error);
  g_autoptr (StoreImage) img = s ? store_lookup_image (s, argv[1], &error) : NULL;
  if (img == NULL)
    return cli_fail (error);
  const char *name = cli_image_name_for_ref (img, argv[1]);
  if (output)
    return image_archive_save (s, img, name, output, fmt, uncompressed, &error) ? 0 : cli_fail (error);

  /* To stdout (a pipe or a file): written whole to a private directory
   * first, so a failure never leaves half an archive on the pipe. */
  g_autofree char *dir = g_dir_make_tmp ("podunit-save-XXXXXX", &error);
  if (!dir)
    return cli_fail (error);
  g_autofree char *file = g_build_filename (dir, "archive.tar", NULL);
  gboolean ok = image_archive_save (s, img, name, file, fmt, uncompressed, &error);
  int fd = ok ? open (file, O_RDONLY | O_CLOEXEC) : -1;
  unlink (file);
  rmdir (dir);
  if (!ok)
    return cli_fail (error);
  if (fd < 0)
    {
      cli_error ("save: %s: %s", file, g_strerror (errno));
      return EXIT_PODUNIT;
    }
  char buf[65536];
  ssize_t n;
  while ((n = read (fd, buf, sizeof buf)) > 0)
    for (ssize_t off = 0; off < n;)
      {
        ssize_t w = write (STDOUT_FILENO, buf + off, n - off);
        if (w < 0 && errno == EINTR)
          continue;
        if (w < 0)
          {
            cli_error ("save: writing to stdout: %s", g_strerror (errno));
            close (fd);
            return EXIT_PODUNIT;
          }
        off += w;
      }
  close (fd);
  if (n < 0)
    {
      cli_error ("save: reading %s: %s", file, g_strerror (errno));
      return EXIT_PODUNIT;
    }
  return 0;
}
