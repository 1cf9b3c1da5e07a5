/* SPDX-License-Identifier: Apache-2.0 */
/* podunit push [flags] IMAGE [DESTINATION] (also `image push`): an image
 * from the store to a registry (docker://HOST/NAME:TAG, the docker://
 * optional) or into an archive (oci-archive:PATH, docker-archive:PATH).
 * Without DESTINATION the image's own name is where it goes. Progress on
 * stderr as podman prints it without a TTY; nothing on stdout.
 * registries.conf's blocked and insecure settings apply as for pull. */
#include "image/archive-common.h"
#include "image/registry/push.h"
#include "cli/image-util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void
print_progress (const char *line, gpointer data)
{
  fprintf (stderr, "%s\n", line);
}

/* DEST into the store's archive formats: TRUE when DEST names one. */
static gboolean
archive_destination (const char *dest, ImageArchiveFormat *fmt, const char **path)
{
  if (g_str_has_prefix (dest, "oci-archive:"))
    *fmt = IMAGE_ARCHIVE_OCI, *path = dest + strlen ("oci-archive:");
  else if (g_str_has_prefix (dest, "docker-archive:"))
    *fmt = IMAGE_ARCHIVE_DOCKER, *path = dest + strlen ("docker-archive:");
  else
    return FALSE;
  return TRUE;
}

int
cli_push (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *authfile = NULL, *creds = NULL, *cert_dir = NULL, *digestfile = NULL;
  g_autofree char *format = NULL, *retry_delay = NULL;
  gint retry = 3;
  gboolean quiet = FALSE, remove_signatures = FALSE, no_trust = FALSE;
  cli_tls_verify = TRUE;
  cli_tls_given = FALSE;
  const GOptionEntry entries[] = {
    CLI_REGISTRY_OPTIONS (authfile, creds, cert_dir),
    { "digestfile", 0, 0, G_OPTION_ARG_FILENAME, &digestfile,
      "Write the pushed manifest's digest to FILE", "FILE" },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "Manifest type: oci (the only one)",
      "FORMAT" },
    { "retry", 0, 0, G_OPTION_ARG_INT, &retry, "Retries on network errors (default 3)", "N" },
    { "retry-delay", 0, 0, G_OPTION_ARG_STRING, &retry_delay, "First delay between retries (2s)",
      "DURATION" },
    { "remove-signatures", 0, 0, G_OPTION_ARG_NONE, &remove_signatures,
      "Accepted: podunit stores no signatures", NULL },
    { "disable-content-trust", 0, 0, G_OPTION_ARG_NONE, &no_trust, "Accepted, as podman (no-op)",
      NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Suppress the progress output", NULL },
    { NULL },
  };
  if (!cli_parse_options (&argc, &argv, entries, "IMAGE [DESTINATION]", FALSE))
    return EXIT_PODUNIT;
  {
    g_autoptr (GError) check = NULL;
    if (!cli_check_authfile (authfile, &check))
      return cli_fail (check);
  }
  if (argc < 2 || argc > 3)
    {
      cli_error ("push: %s", argc < 2 ? "requires an image" : "accepts an image and a destination");
      return EXIT_PODUNIT;
    }
  if (format && strcmp (format, "oci") != 0)
    {
      cli_error ("--format %s: podunit writes OCI manifests only (--format oci)", format);
      return EXIT_PODUNIT;
    }
  guint delay;
  if (!cli_check_retry (retry, retry_delay, &delay))
    return EXIT_PODUNIT;
  g_autoptr (GError) error = NULL;
  g_autoptr (Store) s = cli_store_open (g, &error);
  g_autoptr (StoreImage) img = s ? store_lookup_image (s, argv[1], &error) : NULL;
  if (img == NULL)
    return cli_fail (error);
  const char *dest = argc == 3 ? argv[2] : cli_image_name_for_ref (img, argv[1]);
  if (dest == NULL)
    {
      cli_error ("push: %s is an image id: name a destination (podunit push ID HOST/NAME:TAG)",
                 argv[1]);
      return EXIT_PODUNIT;
    }
  ImageArchiveFormat fmt;
  const char *path;
  if (archive_destination (dest, &fmt, &path))
    return image_archive_save (s, img, cli_image_name_for_ref (img, argv[1]), path, fmt, FALSE, &error)
               ? 0
               : cli_fail (error);
  const char *bare = g_str_has_prefix (dest, "docker://") ? dest + 9 : dest;
  if (registry_name_is_short (bare))
    {
      cli_error ("push: %s: a destination needs a registry (HOST[:PORT]/NAME[:TAG])", dest);
      return EXIT_PODUNIT;
    }
  g_autoptr (RegistriesConf) conf = NULL;
  RegistryOptions o = { .retries = retry };
  g_autoptr (RegistryRef) ref
      = cli_registry_target (bare, authfile, creds, cert_dir, &o, &conf, &error);
  if (ref == NULL)
    return cli_fail (error);
  const char *chunk = g_getenv ("PODUNIT_PUSH_CHUNK_SIZE");
  if (chunk)
    o.chunk_size = g_ascii_strtoull (chunk, NULL, 10);
  g_autofree char *full = registry_ref_string (ref);
  g_autofree char *digest = NULL;
  for (guint attempt = 0;; attempt++)
    {
      g_clear_error (&error);
      digest = registry_push (s, img, ref, &o, quiet ? NULL : print_progress, NULL, &error);
      if (digest)
        break;
      if (attempt >= (guint)retry || !g_error_matches (error, REGISTRY_ERROR, REGISTRY_ERROR_NETWORK))
        {
          g_prefix_error (&error, "trying to push docker://%s: ", full);
          return cli_fail (error);
        }
      cli_warn ("Failed, retrying in %us ... (%u/%d). Error: %s", delay, attempt + 1, retry,
                error->message);
      sleep (delay);
      delay *= 2;
    }
  if (digestfile && !g_file_set_contents (digestfile, digest, -1, &error))
    return cli_fail (error);
  return 0;
}
