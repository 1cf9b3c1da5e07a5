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
    CLI_REGISTRY_OPTIONS (authfile, creds, cert_dir),
    { NULL },
  };
  if (!cli_parse_options (&argc, &argv, entries, "docker://HOST/NAME", FALSE))
    return EXIT_PODUNIT;
  {
    g_autoptr (GError) check = NULL;
    if (!cli_check_authfile (authfile, &check))
      return cli_fail (check);
  }
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
  g_autoptr (RegistriesConf) conf = NULL;
  RegistryOptions o = { 0 };
  g_autoptr (RegistryRef) ref
      = cli_registry_target (bare, authfile, creds, cert_dir, &o, &conf, &error);
  if (ref == NULL)
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
