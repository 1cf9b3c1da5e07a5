/* SPDX-License-Identifier: Apache-2.0 */
/* podunit image list-tags [flags] [docker://]HOST/NAME: the repository's
 * tags as `skopeo list-tags` prints them ({"Repository": …, "Tags": […]},
 * indented by 4). registries.conf's insecure and blocked settings apply. */
#include "cli/image-util.h"
#include "cli/template.h"

#include <string.h>

int
cli_list_tags (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *authfile = NULL, *creds = NULL, *cert_dir = NULL;
  cli_tls_verify = TRUE;
  cli_tls_given = FALSE;
  const GOptionEntry entries[] = {
    { "tls-verify", 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, cli_option_tls_verify,
      "Require HTTPS and verify certificates (default true)", "BOOL" },
    { "authfile", 0, 0, G_OPTION_ARG_FILENAME, &authfile, "Path of the authentication file",
      "FILE" },
    { "creds", 0, 0, G_OPTION_ARG_STRING, &creds, "Credentials USER[:PASSWORD]", "CREDS" },
    { "cert-dir", 0, 0, G_OPTION_ARG_FILENAME, &cert_dir, "Certificates (*.crt, *.cert, *.key)",
      "DIR" },
    { NULL },
  };
  if (!cli_parse_options (&argc, &argv, entries, "docker://HOST/NAME", FALSE))
    return EXIT_PODUNIT;
  if (argc != 2)
    {
      cli_error ("list-tags: requires exactly one repository");
      return EXIT_PODUNIT;
    }
  const char *bare = g_str_has_prefix (argv[1], "docker://") ? argv[1] + 9 : argv[1];
  const char *last = strrchr (bare, '/');
  if (strchr (last ? last : bare, ':') || strchr (bare, '@'))
    {
      cli_error ("list-tags: %s: no tag or digest allowed in the repository name", argv[1]);
      return EXIT_PODUNIT;
    }
  g_autoptr (GError) error = NULL;
  g_autoptr (RegistryRef) ref = registry_ref_parse (bare, &error);
  g_autoptr (RegistriesConf) conf = ref ? registries_conf_load (&error) : NULL;
  if (conf == NULL)
    return cli_fail (error);
  RegistryOptions o = {
    .insecure = !cli_tls_verify,
    .cert_dir = cert_dir,
    .authfile = authfile,
    .creds = creds,
  };
  const RegistryEntry *e;
  if (!cli_registry_entry (conf, ref, &o, cli_tls_given, &e, &error))
    return cli_fail (error);
  g_autoptr (RegistryClient) c = registry_client_new (ref, &o, FALSE, &error);
  g_autoptr (GPtrArray) tags = c ? registry_list_tags (c, &error) : NULL;
  if (tags == NULL)
    return cli_fail (error);
  g_autofree char *repo = registry_ref_repo (ref);
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  JsonObject *obj = json_object_new ();
  json_object_set_string_member (obj, "Repository", repo);
  JsonArray *arr = json_array_new ();
  for (guint i = 0; i < tags->len; i++)
    json_array_add_string_element (arr, tags->pdata[i]);
  json_object_set_array_member (obj, "Tags", arr);
  json_node_take_object (root, obj);
  cli_print_json (root);
  return 0;
}
