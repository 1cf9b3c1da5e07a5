/* SPDX-License-Identifier: Apache-2.0 */
/* podunit login [-u USER] [-p PASS | --password-stdin] [--authfile F]
 * [--tls-verify=false] [--cert-dir D] REGISTRY, and podunit logout
 * [--authfile F] REGISTRY: the credentials are checked against the
 * registry's /v2/ first, then stored in auth.json (0600, as podman). */
#include "cli/image-util.h"
#include "image/registry/auth.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static char *
host_of (const char *arg)
{
  const char *h = g_str_has_prefix (arg, "docker://") ? arg + 9
                  : g_str_has_prefix (arg, "https://") ? arg + 8
                  : g_str_has_prefix (arg, "http://")  ? arg + 7
                                                       : arg;
  char *s = g_strdup (h);
  if (g_str_has_suffix (s, "/"))
    s[strlen (s) - 1] = '\0';
  return s;
}

int
cli_login (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *authfile = NULL, *user = NULL, *password = NULL, *cert_dir = NULL;
  g_autofree char *tls = NULL;
  gboolean password_stdin = FALSE;
  const GOptionEntry entries[] = {
    { "username", 'u', 0, G_OPTION_ARG_STRING, &user, "Username", "USER" },
    { "password", 'p', 0, G_OPTION_ARG_STRING, &password, "Password", "PASSWORD" },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin, "Read the password from stdin",
      NULL },
    { "authfile", 0, 0, G_OPTION_ARG_FILENAME, &authfile, "Path of the authentication file",
      "FILE" },
    { "cert-dir", 0, 0, G_OPTION_ARG_FILENAME, &cert_dir, "Certificates directory", "DIR" },
    { "tls-verify", 0, 0, G_OPTION_ARG_STRING, &tls, "Require HTTPS and verify certificates",
      "BOOL" },
    { NULL },
  };
  if (!cli_parse_options (&argc, &argv, entries, "REGISTRY", FALSE))
    return EXIT_PODUNIT;
  if (argc != 2)
    {
      cli_error ("login: requires exactly one registry");
      return EXIT_PODUNIT;
    }
  if (password_stdin)
    {
      char buf[4096];
      size_t n = fread (buf, 1, sizeof buf - 1, stdin);
      buf[n] = '\0';
      g_strchomp (buf);
      g_free (password);
      password = g_strdup (buf);
    }
  if (user == NULL || password == NULL)
    {
      cli_error ("login: -u USER and -p PASSWORD (or --password-stdin) are required: podunit "
                 "does not prompt");
      return EXIT_PODUNIT;
    }
  g_autofree char *host = host_of (argv[1]);
  g_autofree char *creds = g_strconcat (user, ":", password, NULL);
  RegistryOptions o = {
    .insecure = tls && g_ascii_strcasecmp (tls, "false") == 0,
    .cert_dir = cert_dir,
    .creds = creds,
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *file = registry_auth_file_for_write (authfile);
  if (!registry_login_check (host, &o, &error)
      || !registry_auth_store (file, host, user, password, NULL, &error))
    return cli_fail (error);
  printf ("Login Succeeded!\n");
  return 0;
}

int
cli_logout (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *authfile = NULL;
  const GOptionEntry entries[] = {
    { "authfile", 0, 0, G_OPTION_ARG_FILENAME, &authfile, "Path of the authentication file",
      "FILE" },
    { NULL },
  };
  g_autoptr (GError) check = NULL;
  if (!cli_parse_options (&argc, &argv, entries, "REGISTRY", FALSE))
    return EXIT_PODUNIT;
  if (!cli_check_authfile (authfile, &check))
    return cli_fail (check);
  if (argc != 2)
    {
      cli_error ("logout: requires exactly one registry");
      return EXIT_PODUNIT;
    }
  g_autofree char *host = host_of (argv[1]);
  g_autofree char *file = registry_auth_file_for_write (authfile);
  gboolean removed = FALSE;
  g_autoptr (GError) error = NULL;
  if (!registry_auth_store (file, host, NULL, NULL, &removed, &error))
    return cli_fail (error);
  if (!removed)
    {
      cli_error ("not logged into %s", host);
      return EXIT_PODUNIT;
    }
  printf ("Removed login credentials for %s\n", host);
  return 0;
}
